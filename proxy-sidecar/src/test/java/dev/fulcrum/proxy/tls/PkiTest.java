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
  private static final boolean[] CA_KEY_USAGE = {
    true, false, false, false, false, true, true, false, false
  };
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
  void certificateAuthorityIsSelfSignedCaWithCertSignKeyUsageAndTenYears() throws Exception {
    Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Pki.Issued ca = Pki.certificateAuthority("fulcrum-test-ca");
    Instant after = Instant.now();
    X509Certificate c = parse(ca.certificatePem());

    assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=fulcrum-test-ca");
    assertThat(c.getIssuerX500Principal()).isEqualTo(c.getSubjectX500Principal());
    assertThat(c.getVersion()).isEqualTo(3);
    assertThat(c.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(c.getBasicConstraints()).isEqualTo(Integer.MAX_VALUE); // CA, no path length
    assertThat(c.getKeyUsage()).containsExactly(CA_KEY_USAGE);
    assertThat(c.getCriticalExtensionOIDs()).containsExactlyInAnyOrder("2.5.29.19", "2.5.29.15");
    assertThat(c.getNonCriticalExtensionOIDs()).isEmpty();
    assertThat(c.getSubjectAlternativeNames()).isNull();
    assertValidity(c, before, after, Duration.ofDays(3650));
    c.verify(c.getPublicKey());
    assertThat(c.getPublicKey().getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void issuedLeafCarriesDnsAndIpSansServerKeyUsageAndTheCaSignature() throws Exception {
    Pki.Issued ca = Pki.certificateAuthority("fulcrum-test-ca");
    Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Pki.Issued leaf =
        Pki.issue(ca, "lb-1", List.of("lb-1.example", "10.0.0.7", "::1", "localhost"));
    Instant after = Instant.now();
    X509Certificate c = parse(leaf.certificatePem());

    assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=lb-1");
    assertThat(c.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
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
    assertThat(c.getPublicKey()).isNotEqualTo(ca.certificate().getPublicKey());
    c.verify(ca.certificate().getPublicKey());
    X509Certificate otherCa = Pki.certificateAuthority("fulcrum-test-ca").certificate();
    assertThatThrownBy(() -> c.verify(otherCa.getPublicKey()))
        .isInstanceOf(SignatureException.class);
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
  void opensslVerifiesTheLeafAgainstItsCaOnlyAndReadsTheExtensions() throws Exception {
    OpenSsl.assumeInstalled();
    Pki.Issued ca = Pki.certificateAuthority("fulcrum-test-ca");
    Pki.Issued leaf = Pki.issue(ca, "lb-1", List.of("10.10.10.98", "lb-1.example"));
    Path caFile = Files.writeString(dir.resolve("ca.crt"), ca.certificatePem());
    Path otherCa =
        Files.writeString(dir.resolve("other.crt"), Pki.certificateAuthority("x").certificatePem());
    Path leafFile = Files.writeString(dir.resolve("leaf.crt"), leaf.certificatePem());
    Path keyFile = Files.writeString(dir.resolve("leaf.key"), leaf.keyPem());

    OpenSsl.Result caText = OpenSsl.run(dir, "x509", "-noout", "-text", "-in", caFile.toString());
    assertThat(caText.exit()).isZero();
    assertThat(caText.output())
        .contains(
            "Subject: CN = fulcrum-test-ca",
            "CA:TRUE",
            "Digital Signature, Certificate Sign, CRL Sign");
    OpenSsl.Result text = OpenSsl.run(dir, "x509", "-noout", "-text", "-in", leafFile.toString());
    assertThat(text.output())
        .contains(
            "Issuer: CN = fulcrum-test-ca",
            "Subject: CN = lb-1",
            "CA:FALSE",
            "Digital Signature, Key Encipherment",
            "IP Address:10.10.10.98, DNS:lb-1.example",
            "ecdsa-with-SHA256",
            "NIST CURVE: P-256");

    OpenSsl.Result verified =
        OpenSsl.run(dir, "verify", "-CAfile", caFile.toString(), leafFile.toString());
    assertThat(verified.exit()).as(verified.output()).isZero();
    assertThat(verified.output()).contains(": OK");
    assertThat(
            OpenSsl.run(dir, "verify", "-CAfile", otherCa.toString(), leafFile.toString()).exit())
        .isNotZero();
    // The key file is OpenSSL-readable and belongs to the certificate.
    OpenSsl.Result keyPub = OpenSsl.run(dir, "pkey", "-pubout", "-in", keyFile.toString());
    OpenSsl.Result certPub =
        OpenSsl.run(dir, "x509", "-pubkey", "-noout", "-in", leafFile.toString());
    assertThat(keyPub.exit()).isZero();
    assertThat(keyPub.output())
        .startsWith("-----BEGIN PUBLIC KEY-----")
        .isEqualTo(certPub.output());
  }

  @Test
  void hostnameCheckingTlsClientAcceptsTheIpAndDnsSansAndNothingElse() throws Exception {
    Pki.Issued ca = Pki.certificateAuthority("fulcrum-test-ca");
    Pki.Issued leaf = Pki.issue(ca, "lb-1", List.of("127.0.0.1", "lb-1.test"));
    SSLContext client = TlsClients.context(ca.certificate(), null);
    try (SSLServerSocket listener = listen(leaf)) {
      int port = listener.getLocalPort();
      handshake(client, port, "127.0.0.1");
      handshake(client, port, "lb-1.test");
      assertThatThrownBy(() -> handshake(client, port, "lb-2.test"))
          .isInstanceOf(SSLHandshakeException.class);
    }
    Pki.Issued dnsOnly = Pki.issue(ca, "lb-1", List.of("lb-1.test"));
    try (SSLServerSocket listener = listen(dnsOnly)) {
      assertThatThrownBy(() -> handshake(client, listener.getLocalPort(), "127.0.0.1"))
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
