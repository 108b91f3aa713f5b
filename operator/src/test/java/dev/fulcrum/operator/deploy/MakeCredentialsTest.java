package dev.fulcrum.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/make-credentials.sh, run with bash and openssl as an lb-host admin would. */
class MakeCredentialsTest {
  @TempDir Path work;
  Path out;
  CredentialsKit.Run run;
  final ExecutorService server = Executors.newSingleThreadExecutor();

  @BeforeEach
  void makeCredentials() throws Exception {
    out = work.resolve("creds");
    run = CredentialsKit.run(work, "-o", "creds", "lb-1=127.0.0.11", "lb-2=127.0.0.12");
    assertThat(run.exitCode()).as(run.output()).isZero();
  }

  @AfterEach
  void stopServer() {
    server.shutdownNow();
  }

  @Test
  void eachHostCertificateIsSignedByTheCaAndNamesExactlyItsOwnIp() throws Exception {
    X509Certificate ca = CredentialsKit.certificate(out.resolve("ca.crt"));
    assertThat(ca.getBasicConstraints()).as("ca.crt is a CA").isGreaterThanOrEqualTo(0);

    for (String[] host : new String[][] {{"lb-1", "127.0.0.11"}, {"lb-2", "127.0.0.12"}}) {
      X509Certificate cert = CredentialsKit.certificate(out.resolve(host[0]).resolve("admin.crt"));
      cert.verify(ca.getPublicKey());
      cert.checkValidity();
      assertThat(cert.getBasicConstraints()).as("%s is not a CA", host[0]).isEqualTo(-1);
      assertThat(cert.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1"); // serverAuth
      assertThat(cert.getSubjectAlternativeNames())
          .containsExactlyInAnyOrder(List.of(7, host[1]), List.of(2, host[0]));
    }
  }

  @Test
  void operatorTrustingOnlyTheCaCompletesTlsToTheProxyByIpAndRejectsAnotherHostsCertificate()
      throws Exception {
    assertThat(handshake("lb-1", "127.0.0.11")).isEqualTo("TLSv1.3");
    // lb-2's certificate served at lb-1's address: hostname verification must refuse it.
    assertThatThrownBy(() -> handshake("lb-2", "127.0.0.11"))
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessageContaining("127.0.0.11");
  }

  @Test
  void tokenIsSharedRandomAndSecretsAreReadableByTheOwnerOnly() throws Exception {
    String token = Files.readString(out.resolve("token"));
    assertThat(token).matches("[0-9a-f]{64}");
    assertThat(Files.readString(out.resolve("lb-1/token"))).isEqualTo(token);
    assertThat(Files.readString(out.resolve("lb-2/token"))).isEqualTo(token);
    for (String secret : List.of("ca.key", "token", "lb-1/admin.key", "lb-2/admin.key")) {
      assertThat(Files.getPosixFilePermissions(out.resolve(secret)))
          .as(secret)
          .containsOnly(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }

    CredentialsKit.Run other = CredentialsKit.run(work, "-o", "other", "lb-1=127.0.0.11");
    assertThat(other.exitCode()).isZero();
    assertThat(Files.readString(work.resolve("other/token"))).isNotEqualTo(token);
  }

  @Test
  void printsTheKubectlSecretLineAndWhereEachHostsFilesAre() {
    assertThat(run.output())
        .contains(
            "kubectl create secret generic fulcrum-proxy-credentials --namespace fulcrum-system"
                + " --from-file=token="
                + out.resolve("token")
                + " --from-file=ca.crt="
                + out.resolve("ca.crt"))
        .containsPattern("lb-1 +127\\.0\\.0\\.11 +-> +" + out.resolve("lb-1") + "/")
        .containsPattern("lb-2 +127\\.0\\.0\\.12 +-> +" + out.resolve("lb-2") + "/");
  }

  @Test
  void addingAHostLaterKeepsTheCaAndTokenSoExistingHostsStayValid() throws Exception {
    byte[] ca = Files.readAllBytes(out.resolve("ca.crt"));
    String token = Files.readString(out.resolve("token"));

    CredentialsKit.Run again = CredentialsKit.run(work, "-o", "creds", "lb-3=127.0.0.13");

    assertThat(again.exitCode()).as(again.output()).isZero();
    assertThat(Files.readAllBytes(out.resolve("ca.crt"))).isEqualTo(ca);
    assertThat(Files.readString(out.resolve("lb-3/token"))).isEqualTo(token);
    X509Certificate caCert = CredentialsKit.certificate(out.resolve("ca.crt"));
    CredentialsKit.certificate(out.resolve("lb-1/admin.crt")).verify(caCert.getPublicKey());
    CredentialsKit.certificate(out.resolve("lb-3/admin.crt")).verify(caCert.getPublicKey());
  }

  @Test
  void badArgumentsAreNamedAndNothingIsWritten() throws Exception {
    for (String bad :
        List.of("lb-1", "lb-1=10.10.10.300", "LB_1=127.0.0.11", "lb-1=lb-1.example")) {
      CredentialsKit.Run r = CredentialsKit.run(work, "-o", "bad", bad);
      assertThat(r.exitCode()).as(bad).isEqualTo(2);
      assertThat(r.output()).as(bad).contains("\"" + bad + "\"");
      assertThat(work.resolve("bad")).as(bad).doesNotExist();
    }
    CredentialsKit.Run twice =
        CredentialsKit.run(work, "-o", "bad", "lb-1=127.0.0.11", "lb-1=127.0.0.12");
    assertThat(twice.exitCode()).isEqualTo(2);
    assertThat(twice.output()).contains("\"lb-1\" is given twice");
    assertThat(work.resolve("bad")).doesNotExist();
  }

  /** Serves {@code host}'s certificate on {@code ip}:0 and connects as the operator would. */
  private String handshake(String host, String ip) throws Exception {
    InetAddress address = InetAddress.getByName(ip);
    try (SSLServerSocket listener =
        (SSLServerSocket)
            CredentialsKit.server(out.resolve(host))
                .getServerSocketFactory()
                .createServerSocket(0, 1, address)) {
      CompletableFuture<Void> accepted =
          CompletableFuture.runAsync(
              () -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                  s.setSoTimeout(10_000);
                  s.startHandshake();
                } catch (Exception e) {
                  // The client's verdict is what the test asserts.
                }
              },
              server);
      try (SSLSocket client =
          (SSLSocket)
              CredentialsKit.client(out.resolve("ca.crt")).getSocketFactory().createSocket()) {
        SSLParameters params = client.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        client.setSSLParameters(params);
        client.setSoTimeout(10_000);
        client.connect(new InetSocketAddress(address, listener.getLocalPort()), 10_000);
        client.startHandshake();
        return client.getSession().getProtocol();
      } finally {
        accepted.get(30, TimeUnit.SECONDS);
      }
    }
  }
}
