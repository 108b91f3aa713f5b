package dev.fulcrum.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.api.BackendHealth;
import dev.fulcrum.proxy.api.ClientCertificate;
import dev.fulcrum.proxy.api.HealthCheckMode;
import dev.fulcrum.proxy.balance.Backend;
import dev.fulcrum.proxy.net.Transport;
import dev.fulcrum.proxy.testing.PingServer;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HttpsHealthCheckTest {
  private static Transport transport;

  @BeforeAll
  static void start() {
    transport = new Transport(1, Transport.DEFAULT_KIND);
  }

  @AfterAll
  static void stop() {
    transport.close();
  }

  @Test
  void pingAnswering200BringsTheBackendUpAnd503TakesItDownNamingTheStatus() {
    try (PingServer server = PingServer.start("127.0.0.4", List.of("127.0.0.4"));
        HealthMonitor monitor = new HealthMonitor("lb-test", transport)) {
      Backend backend = Checks.backend("server-1", server.host(), server.port());
      backend.markDown("test starts with the backend down");
      monitor.update(List.of(backend), Checks.config(HealthCheckMode.HTTPS));

      await().atMost(Duration.ofSeconds(20)).until(() -> backend.health() == BackendHealth.UP);
      assertThat(server.pings()).isGreaterThanOrEqualTo(Checks.RISE);
      assertThat(backend.lastCheckError()).isNull();
      assertThat(backend.tlsSans()).containsExactly("127.0.0.4");

      server.status(503);
      await().atMost(Duration.ofSeconds(20)).until(() -> backend.health() == BackendHealth.DOWN);
      assertThat(backend.lastCheckError()).isEqualTo("HTTP 503 from /ping");
      assertThat(monitor.counters(backend).failures()).isGreaterThanOrEqualTo(Checks.FALL);
    }
  }

  @Test
  void serverRequiringAClientCertificateIsUpOnlyWhenTheConfigCarriesOne() {
    Pki.Issued clientCa = TestPki.authority("k3s-client-ca");
    Pki.Issued client = TestPki.issue(clientCa, "system:fulcrum-health", List.of());
    try (PingServer server =
            PingServer.requiringClientCertificate(
                "127.0.0.4", List.of("127.0.0.4"), clientCa.certificate());
        HealthMonitor monitor = new HealthMonitor("lb-test", transport)) {
      Backend backend = Checks.backend("server-1", server.host(), server.port());

      monitor.update(List.of(backend), Checks.config(HealthCheckMode.HTTPS));
      await().atMost(Duration.ofSeconds(20)).until(() -> backend.health() == BackendHealth.DOWN);
      assertThat(backend.lastCheckError()).startsWith("TLS");
      assertThat(server.pings()).isZero();

      ClientCertificate pem = new ClientCertificate(client.certificatePem(), client.keyPem());
      monitor.update(List.of(backend), Checks.config(HealthCheckMode.HTTPS, pem));
      await().atMost(Duration.ofSeconds(20)).until(() -> backend.health() == BackendHealth.UP);
      assertThat(server.pings()).isGreaterThanOrEqualTo(Checks.RISE);
      assertThat(backend.lastCheckError()).isNull();
    }
  }

  @Test
  void unreadableClientCertificateFailsEveryCheckWithAClearCause() {
    try (PingServer server = PingServer.start("127.0.0.4", List.of("127.0.0.4"));
        HealthMonitor monitor = new HealthMonitor("lb-test", transport)) {
      Backend backend = Checks.backend("server-1", server.host(), server.port());
      ClientCertificate garbage = new ClientCertificate("not a certificate", "not a key");

      monitor.update(List.of(backend), Checks.config(HealthCheckMode.HTTPS, garbage));

      await().atMost(Duration.ofSeconds(20)).until(() -> backend.health() == BackendHealth.DOWN);
      assertThat(backend.lastCheckError()).startsWith("client certificate unusable: ");
      assertThat(server.pings()).isZero();
    }
  }
}
