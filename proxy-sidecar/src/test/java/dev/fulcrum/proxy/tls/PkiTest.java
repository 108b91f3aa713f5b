package dev.fulcrum.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.proxy.testing.TlsClients;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SignatureException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Certificates made with the JDK alone: their contents, as the JDK, OpenSSL and TLS see them. */
class PkiTest {
  private static final boolean[] SERVER_KEY_USAGE = {
    true, false, true, false, false, false, false, false, false
  };

  @TempDir Path dir;
  private final ExecutorService server = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    server.shutdownNow();
  }

  /** Parsed by the JDK from the PEM text, not taken from the object Pki returned. */
  private static X509Certificate parse(String pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void theAdminCertificateIsALeafWithDnsAndIpSansServerKeyUsageAndItsOwnSignature()
      throws Exception {
    Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Pki.Issued self =
        Pki.selfSigned(
            "lb-1", List.of("lb-1.example", "10.0.0.7", "::1", "localhost"), Duration.ofDays(825));
    Instant after = Instant.now();
    X509Certificate c = parse(self.certificatePem());

    assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=lb-1");
    assertThat(c.getIssuerX500Principal()).isEqualTo(c.getSubjectX500Principal());
    assertThat(c.getVersion()).isEqualTo(3);
    assertThat(c.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(c.getSubjectAlternativeNames())
        .containsExactly(
            List.of(2, "lb-1.example"),
            List.of(7, "10.0.0.7"),
            List.of(7, "0:0:0:0:0:0:0:1"),
            List.of(2, "localhost"));
    assertThat(c.getBasicConstraints()).isEqualTo(-1);
    assertThat(c.getKeyUsage()).containsExactly(SERVER_KEY_USAGE);
    assertThat(c.getExtendedKeyUsage()).isNull();
    assertThat(c.getCriticalExtensionOIDs()).containsExactlyInAnyOrder("2.5.29.19", "2.5.29.15");
    assertThat(c.getNonCriticalExtensionOIDs()).isEqualTo(Set.of("2.5.29.17"));
    assertValidity(c, before, after, Duration.ofDays(825));
    assertThat(c.getPublicKey().getAlgorithm()).isEqualTo("EC");
    c.verify(c.getPublicKey());
    X509Certificate other =
        Pki.selfSigned("lb-1", List.of("10.0.0.7"), Duration.ofDays(1)).certificate();
    assertThatThrownBy(() -> c.verify(other.getPublicKey())).isInstanceOf(SignatureException.class);
  }

  @Test
  void selfSignedValidityIsTheOneAskedForWithGeneralizedTimeFrom2050() throws Exception {
    Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Pki.Issued day = Pki.selfSigned("lb-1", List.of("127.0.0.1"), Duration.ofDays(1));
    Pki.Issued century = Pki.selfSigned("lb-1", List.of("127.0.0.1"), Duration.ofDays(36500));
    Instant after = Instant.now();

    X509Certificate shortLived = parse(day.certificatePem());
    assertValidity(shortLived, before, after, Duration.ofDays(1));
    assertThat(validityTags(shortLived)).containsExactly(Der.UTC_TIME, Der.UTC_TIME);
    shortLived.verify(shortLived.getPublicKey());
    X509Certificate longLived = parse(century.certificatePem());
    assertValidity(longLived, before, after, Duration.ofDays(36500));
    assertThat(validityTags(longLived)).containsExactly(Der.UTC_TIME, Der.GENERALIZED_TIME);
  }

  @Test
  void ipv6SanIsSixteenOctetsAndInvalidSansAreRejectedByName() throws Exception {
    X509Certificate c =
        Pki.selfSigned("x", List.of("fd00::10", "::ffff:10.0.0.1"), Duration.ofDays(1))
            .certificate();
    byte[] sanValue = Der.elements(c.getExtensionValue("2.5.29.17")).get(0).content();
    assertThat(Der.sequenceOf(sanValue))
        .allSatisfy(
            name -> {
              assertThat(name.tag()).isEqualTo(0x87);
              assertThat(name.content()).hasSize(16);
            });
    assertThat(c.getSubjectAlternativeNames()).contains(List.of(7, "fd00:0:0:0:0:0:0:10"));

    for (String bad : List.of("10.0.0", "300.1.1.1", "fe80::1::2", "zz::1")) {
      assertThatThrownBy(() -> Pki.selfSigned("x", List.of(bad), Duration.ofDays(1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("\"" + bad + "\"");
    }
    assertThatThrownBy(() -> Pki.selfSigned("x", List.of("bücher.example"), Duration.ofDays(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bücher.example");
  }

  @Test
  void opensslReadsTheAdminCertificateAndItsKeyAndTrustsItAsItsOwnAuthority() throws Exception {
    OpenSsl.assumeInstalled();
    Pki.Issued self =
        Pki.selfSigned("lb-1", List.of("10.10.10.98", "lb-1.example"), Duration.ofDays(825));
    Path certFile = Files.writeString(dir.resolve("admin.crt"), self.certificatePem());
    Path keyFile = Files.writeString(dir.resolve("admin.key"), self.keyPem());
    Path other =
        Files.writeString(
            dir.resolve("other.crt"),
            Pki.selfSigned("lb-1", List.of("10.10.10.98"), Duration.ofDays(1)).certificatePem());

    OpenSsl.Result text = OpenSsl.run(dir, "x509", "-noout", "-text", "-in", certFile.toString());
    assertThat(text.exit()).isZero();
    assertThat(text.output())
        .contains(
            "Issuer: CN = lb-1",
            "Subject: CN = lb-1",
            "CA:FALSE",
            "Digital Signature, Key Encipherment",
            "IP Address:10.10.10.98, DNS:lb-1.example",
            "ecdsa-with-SHA256",
            "NIST CURVE: P-256");
    // The operator trusts exactly this certificate (the Secret's ca.crt): its signature checks
    // with its own key and with no other.
    OpenSsl.Result verified =
        OpenSsl.run(
            dir, "verify", "-partial_chain", "-CAfile", certFile.toString(), certFile.toString());
    assertThat(verified.exit()).as(verified.output()).isZero();
    assertThat(
            OpenSsl.run(
                    dir,
                    "verify",
                    "-partial_chain",
                    "-CAfile",
                    other.toString(),
                    certFile.toString())
                .exit())
        .isNotZero();
    OpenSsl.Result keyPub = OpenSsl.run(dir, "pkey", "-pubout", "-in", keyFile.toString());
    OpenSsl.Result certPub =
        OpenSsl.run(dir, "x509", "-pubkey", "-noout", "-in", certFile.toString());
    assertThat(keyPub.exit()).isZero();
    assertThat(keyPub.output())
        .startsWith("-----BEGIN PUBLIC KEY-----")
        .isEqualTo(certPub.output());
  }

  @Test
  void hostnameCheckingTlsClientAcceptsTheIpAndDnsSansAndNothingElse() throws Exception {
    // As the operator trusts a proxy: its self-signed admin certificate is the trust anchor.
    Pki.Issued leaf = Pki.selfSigned("lb-1", List.of("127.0.0.1", "lb-1.test"), Duration.ofDays(1));
    SSLContext client = TlsClients.context(leaf.certificate(), null);
    try (SSLServerSocket listener = listen(leaf)) {
      int port = listener.getLocalPort();
      handshake(client, port, "127.0.0.1");
      handshake(client, port, "lb-1.test");
      assertThatThrownBy(() -> handshake(client, port, "lb-2.test"))
          .isInstanceOf(SSLHandshakeException.class);
    }
    Pki.Issued dnsOnly = Pki.selfSigned("lb-1", List.of("lb-1.test"), Duration.ofDays(1));
    SSLContext trustsDnsOnly = TlsClients.context(dnsOnly.certificate(), null);
    try (SSLServerSocket listener = listen(dnsOnly)) {
      assertThatThrownBy(() -> handshake(trustsDnsOnly, listener.getLocalPort(), "127.0.0.1"))
          .isInstanceOf(SSLHandshakeException.class);
    }
  }

  private SSLServerSocket listen(Pki.Issued identity) throws Exception {
    SSLServerSocket listener =
        (SSLServerSocket)
            TlsClients.context(identity.certificate(), identity)
                .getServerSocketFactory()
                .createServerSocket(0, 8, InetAddress.getByName("127.0.0.1"));
    server.submit(
        () -> {
          while (!listener.isClosed()) {
            try (SSLSocket s = (SSLSocket) listener.accept()) {
              s.startHandshake();
              s.getOutputStream().write(1);
            } catch (Exception e) {
              // A refused handshake is the point of some tests; the next one is accepted.
            }
          }
        });
    return listener;
  }

  /** Connects to 127.0.0.1 and checks the server's certificate for {@code serverName}. */
  private static void handshake(SSLContext client, int port, String serverName) throws Exception {
    try (Socket plain = new Socket("127.0.0.1", port);
        SSLSocket s =
            (SSLSocket) client.getSocketFactory().createSocket(plain, serverName, port, true)) {
      SSLParameters p = s.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      s.setSSLParameters(p);
      s.setSoTimeout(30_000);
      s.startHandshake();
      assertThat(s.getInputStream().read()).isEqualTo(1);
    }
  }

  private static void assertValidity(
      X509Certificate c, Instant before, Instant after, Duration validity) {
    Duration skew = Duration.ofMinutes(5);
    assertThat(c.getNotBefore().toInstant())
        .isBetween(before.minus(skew).minusSeconds(1), after.minus(skew));
    assertThat(c.getNotAfter().toInstant())
        .isBetween(before.plus(validity).minusSeconds(1), after.plus(validity));
  }

  private static List<Integer> validityTags(X509Certificate c) throws Exception {
    List<Der.Element> tbs = Der.sequenceOf(c.getTBSCertificate());
    return Der.elements(tbs.get(4).content()).stream().map(Der.Element::tag).toList();
  }
}
