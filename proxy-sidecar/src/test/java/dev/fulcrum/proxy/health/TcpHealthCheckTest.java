package dev.fulcrum.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.api.BackendHealth;
import dev.fulcrum.proxy.api.HealthCheckMode;
import dev.fulcrum.proxy.balance.Backend;
import dev.fulcrum.proxy.net.Transport;
import dev.fulcrum.proxy.testing.EchoBackend;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TcpHealthCheckTest {
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
  void killedBackendRefusingConnectionsGoesDownAfterFallAndRestartedComesBackAfterRise() {
    try (EchoBackend echo = EchoBackend.start("server-1", "127.0.0.5");
        HealthMonitor monitor = new HealthMonitor("lb-test", transport)) {
      Backend backend = Checks.backend("server-1", echo.host(), echo.port());
      monitor.update(List.of(backend), Checks.config(HealthCheckMode.TCP));
      await().until(() -> echo.accepted() >= 1);
      assertThat(backend.health()).isEqualTo(BackendHealth.UP);

      echo.kill();
      await().atMost(Duration.ofSeconds(20)).until(() -> backend.health() == BackendHealth.DOWN);
      assertThat(backend.lastCheckError()).isEqualTo("connection refused");
      assertThat(monitor.counters(backend).failures()).isGreaterThanOrEqualTo(Checks.FALL);
      assertThat(backend.tlsSans()).isEmpty();

      long checksBefore = monitor.counters(backend).checks();
      echo.restart();
      await().atMost(Duration.ofSeconds(20)).until(() -> backend.health() == BackendHealth.UP);
      assertThat(monitor.counters(backend).checks() - checksBefore)
          .isGreaterThanOrEqualTo(Checks.RISE);
      assertThat(backend.lastCheckError()).isNull();
    }
  }

  @Test
  void backendMarkedDownByTheDataPlaneNeedsRisePassedChecksToComeBack() {
    try (EchoBackend echo = EchoBackend.start("server-1", "127.0.0.5");
        HealthMonitor monitor = new HealthMonitor("lb-test", transport)) {
      Backend backend = Checks.backend("server-1", echo.host(), echo.port());
      monitor.update(List.of(backend), Checks.config(HealthCheckMode.TCP));
      await().until(() -> monitor.counters(backend).checks() >= 1);

      long checksBefore = monitor.counters(backend).checks();
      backend.markDown("connect to " + backend.endpoint() + " failed");

      await().atMost(Duration.ofSeconds(20)).until(() -> backend.health() == BackendHealth.UP);
      assertThat(monitor.counters(backend).checks() - checksBefore)
          .isGreaterThanOrEqualTo(Checks.RISE);
      assertThat(backend.transitions()).isEqualTo(2);
    }
  }
}
