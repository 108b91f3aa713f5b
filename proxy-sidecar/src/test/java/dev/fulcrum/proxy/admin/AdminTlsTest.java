package dev.fulcrum.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.proxy.engine.ProxyEngine;
import dev.fulcrum.proxy.metrics.ProxyMetrics;
import dev.fulcrum.proxy.net.Transport;
import dev.fulcrum.proxy.store.StateStore;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.testing.TlsClients;
import dev.fulcrum.proxy.tls.Pki;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTlsTest {
  private static final String TOKEN = "tls-test-token";

  @TempDir Path dir;
  private Path stateDir;
  private Path tokenFile;
  private Transport transport;
  private ProxyEngine engine;

  @BeforeEach
  void engine() throws IOException {
    stateDir = dir.resolve("state");
    tokenFile = Files.writeString(dir.resolve("token"), TOKEN);
    transport = new Transport(1, Transport.Kind.NIO);
    engine =
        new ProxyEngine("lb-tls", null, transport, new StateStore(stateDir), new ProxyMetrics());
  }

  @AfterEach
  void stop() {
    engine.close();
    transport.close();
  }

  private AdminServer start(AdminSettings settings) throws IOException {
    return new AdminServer(settings, stateDir, engine, () -> null).start();
  }

  private AdminSettings selfSigned() {
    return new AdminSettings("127.0.0.1", 0, null, null, null, tokenFile);
  }

  private static HttpResponse<String> status(HttpClient client, AdminServer server)
      throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + server.localAddress().getPort() + "/v1/status"))
            .header("Authorization", "Bearer " + TOKEN)
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String servedFingerprint(HttpResponse<?> r) throws IOException {
    return TlsClients.fingerprint(r.sslSession().orElseThrow().getPeerCertificates()[0]);
  }

  @Test
  void generatedCertificateIsReusedAcrossRestarts() throws Exception {
    String first;
    try (AdminServer server = start(selfSigned())) {
      X509Certificate generated = TlsClients.certificate(stateDir.resolve(AdminTls.CERT_FILE));
      HttpResponse<String> r = status(TlsClients.http(TlsClients.context(generated, null)), server);
      assertThat(r.statusCode()).isEqualTo(200);
      first = servedFingerprint(r);
      assertThat(first).isEqualTo(TlsClients.fingerprint(generated));
      assertThat(generated.getSubjectAlternativeNames())
          .contains(List.of(7, "127.0.0.1"), List.of(2, "localhost"));
    }
    assertThat(Files.getPosixFilePermissions(stateDir.resolve(AdminTls.KEY_FILE)))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));

    try (AdminServer restarted = start(selfSigned())) {
      X509Certificate onDisk = TlsClients.certificate(stateDir.resolve(AdminTls.CERT_FILE));
      HttpResponse<String> r = status(TlsClients.http(TlsClients.context(onDisk, null)), restarted);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(servedFingerprint(r)).isEqualTo(first);
    }
  }

  @Test
  void plainHttpToTheAdminPortFails() throws Exception {
    try (AdminServer server = start(selfSigned())) {
      HttpRequest plain =
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + server.localAddress().getPort() + "/v1/status"))
              .header("Authorization", "Bearer " + TOKEN)
              .timeout(Duration.ofSeconds(30))
              .build();

      assertThatThrownBy(
              () -> HttpClient.newHttpClient().send(plain, HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void plainHttpFailureIsLoggedWithoutEchoingTheRequestAndItsToken() {
    String request = "GET / HTTP/1.1\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n";
    String hex = java.util.HexFormat.of().formatHex(request.getBytes(StandardCharsets.US_ASCII));
    Throwable fromSslHandler =
        new io.netty.handler.codec.DecoderException(
            new io.netty.handler.ssl.NotSslRecordException("not an SSL/TLS record: " + hex));

    assertThat(AdminHandler.describe(fromSslHandler))
        .contains("plain HTTP")
        .doesNotContain(hex.substring(0, 16));
  }

  @Test
  void configuredCertificateSignedByACaIsServedInsteadOfAGeneratedOne() throws Exception {
    Pki.Issued ca = TestPki.authority("fulcrum-test-ca");
    Pki.Issued leaf = TestPki.issue(ca, "lb-1", List.of("127.0.0.1"));
    Path cert = Files.writeString(dir.resolve("tls.crt"), leaf.certificatePem());
    Path key = Files.writeString(dir.resolve("tls.key"), leaf.keyPem());

    try (AdminServer server =
        start(new AdminSettings("127.0.0.1", 0, cert, key, null, tokenFile))) {
      HttpResponse<String> r =
          status(TlsClients.http(TlsClients.context(ca.certificate(), null)), server);

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(servedFingerprint(r)).isEqualTo(TlsClients.fingerprint(leaf.certificate()));
      assertThat(stateDir.resolve(AdminTls.CERT_FILE)).doesNotExist();
    }
  }

  @Test
  void unreadableKeyFileFailsTheStartNamingTheFile() throws Exception {
    Pki.Issued leaf = Pki.selfSigned("lb-1", List.of("127.0.0.1"), Duration.ofDays(1));
    Path cert = Files.writeString(dir.resolve("tls.crt"), leaf.certificatePem());
    Path key = Files.writeString(dir.resolve("tls.key"), leaf.certificatePem());

    assertThatThrownBy(() -> start(new AdminSettings("127.0.0.1", 0, cert, key, null, tokenFile)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(key.toString())
        .hasMessageContaining("no private key");
  }

  @Test
  void clientCaRequiresAClientCertificateItSigned() throws Exception {
    Pki.Issued clientCa = TestPki.authority("operator-ca");
    Pki.Issued operator = TestPki.issue(clientCa, "fulcrum-operator", List.of("localhost"));
    Pki.Issued stranger =
        TestPki.issue(TestPki.authority("other-ca"), "stranger", List.of("localhost"));
    Path caFile = Files.writeString(dir.resolve("client-ca.crt"), clientCa.certificatePem());

    try (AdminServer server =
        start(new AdminSettings("127.0.0.1", 0, null, null, caFile, tokenFile))) {
      X509Certificate serverCert = TlsClients.certificate(stateDir.resolve(AdminTls.CERT_FILE));

      assertThatThrownBy(
              () -> status(TlsClients.http(TlsClients.context(serverCert, null)), server))
          .isInstanceOf(IOException.class);
      assertThatThrownBy(
              () -> status(TlsClients.http(TlsClients.context(serverCert, stranger)), server))
          .isInstanceOf(IOException.class);
      assertThat(
              status(TlsClients.http(TlsClients.context(serverCert, operator)), server)
                  .statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void requestThatNeverCompletesIsCutOffAtTheDeadline() throws Exception {
    AdminSettings slow =
        new AdminSettings("127.0.0.1", 0, null, null, null, tokenFile, Duration.ofSeconds(1));
    try (AdminServer server = start(slow)) {
      X509Certificate serverCert = TlsClients.certificate(stateDir.resolve(AdminTls.CERT_FILE));
      try (SSLSocket s =
          (SSLSocket)
              TlsClients.context(serverCert, null)
                  .getSocketFactory()
                  .createSocket("127.0.0.1", server.localAddress().getPort())) {
        s.setSoTimeout(30_000);
        s.startHandshake();
        s.getOutputStream()
            .write("PUT /v1/status HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();

        // The server closes; nothing is ever answered to the half-sent request.
        assertThat(in.read()).isEqualTo(-1);
      }
    }
  }
}
