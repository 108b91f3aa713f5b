package dev.fulcrum.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.api.HealthCheckMode;
import dev.fulcrum.proxy.balance.Backend;
import dev.fulcrum.proxy.net.Transport;
import dev.fulcrum.proxy.testing.EchoBackend;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HealthMonitorTest {
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
  void backendRemovedByUpdateIsNoLongerChecked() {
    try (EchoBackend a = EchoBackend.start("server-a", "127.0.0.6");
        EchoBackend b = EchoBackend.start("server-b", "127.0.0.7");
        HealthMonitor monitor = new HealthMonitor("lb-test", transport)) {
      Backend backendA = Checks.backend("server-a", a.host(), a.port());
      Backend backendB = Checks.backend("server-b", b.host(), b.port());
      monitor.update(List.of(backendA, backendB), Checks.config(HealthCheckMode.TCP));
      await().until(() -> a.accepted() >= 2 && b.accepted() >= 2);

      monitor.update(List.of(backendB), Checks.config(HealthCheckMode.TCP));
      assertThat(monitor.checked()).containsExactly(backendB);
      assertThat(monitor.counters(backendA)).isNull();

      // A check of A already under way when it was removed may still land; let it.
      int bAtRemoval = b.accepted();
      await().atMost(Duration.ofSeconds(20)).until(() -> b.accepted() >= bAtRemoval + 2);
      int aSettled = a.accepted();
      await().atMost(Duration.ofSeconds(20)).until(() -> b.accepted() >= bAtRemoval + 5);
      assertThat(a.accepted()).isEqualTo(aSettled);
    }
  }

  @Test
  void changedConfigReplacesTheRunningChecks() {
    List<String> sans = List.of("127.0.0.8", "server-1");
    try (EchoBackend echo = EchoBackend.startTls("server-1", "127.0.0.8", sans);
        HealthMonitor monitor = new HealthMonitor("lb-test", transport)) {
      Backend backend = Checks.backend("server-1", echo.host(), echo.port());
      monitor.update(List.of(backend), Checks.config(HealthCheckMode.TCP));
      CheckCounters counters = monitor.counters(backend);
      await().until(() -> counters.checks() >= 2);
      assertThat(backend.tlsSans()).isEmpty();
      long tcpChecks = counters.checks();

      monitor.update(List.of(backend), Checks.config(HealthCheckMode.TLS));

      await().atMost(Duration.ofSeconds(10)).until(() -> !backend.tlsSans().isEmpty());
      assertThat(backend.tlsSans()).containsExactlyElementsOf(sans);
      // Metrics hold on to the counters: they keep counting across the re-configuration.
      assertThat(monitor.counters(backend)).isSameAs(counters);
      await().atMost(Duration.ofSeconds(10)).until(() -> counters.checks() > tcpChecks);
    }
  }

  @Test
  void closedMonitorChecksNothingAndIgnoresLaterUpdates() {
    try (EchoBackend echo = EchoBackend.start("server-1", "127.0.0.9")) {
      Backend backend = Checks.backend("server-1", echo.host(), echo.port());
      HealthMonitor monitor = new HealthMonitor("lb-test", transport);
      monitor.update(List.of(backend), Checks.config(HealthCheckMode.TCP));
      await().until(() -> echo.accepted() >= 1);

      monitor.close();
      monitor.update(List.of(backend), Checks.config(HealthCheckMode.TCP));
      assertThat(monitor.checked()).isEmpty();

      // Watch a second backend that is checked, so the wait is in check intervals, not sleeps.
      try (EchoBackend clock = EchoBackend.start("clock", "127.0.0.10");
          HealthMonitor other = new HealthMonitor("lb-other", transport)) {
        other.update(
            List.of(Checks.backend("clock", clock.host(), clock.port())),
            Checks.config(HealthCheckMode.TCP));
        await().atMost(Duration.ofSeconds(20)).until(() -> clock.accepted() >= 2);
        int settled = echo.accepted();
        await().atMost(Duration.ofSeconds(20)).until(() -> clock.accepted() >= 5);
        assertThat(echo.accepted()).isEqualTo(settled);
      }
    }
  }
}
