package dev.fulcrum.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.HealthCheckConfig;
import dev.fulcrum.proxy.api.HealthCheckMode;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.TestConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What status says of a server before its first check has finished: Unknown, not Up. */
class BackendHealthStatusTest {
  private static final String ID = "ns.lb";
  @TempDir Path dir;
  private AdminHarness h;
  private EchoBackend silent;

  @AfterEach
  void stop() {
    h.close();
    silent.close();
  }

  @Test
  void aServerIsUnknownUntilItsFirstCheckEndsThenWhatTheCheckSays() throws Exception {
    h = new AdminHarness(dir, () -> null);
    silent = EchoBackend.start("a", "127.0.0.1");
    silent.blackHole(true); // accepts, never completes a TLS handshake: the check takes its timeout
    LoadBalancerConfig c =
        TestConfigs.config(
            TestConfigs.freePort(),
            5,
            List.of(new BackendConfig(silent.name(), silent.host(), silent.port())));
    LoadBalancerConfig tls =
        TestConfigs.withHealthCheck(
            c, new HealthCheckConfig(HealthCheckMode.TLS, 10, 5, 2, 1, 2, null, null, null));
    assertThat(h.put(ID, tls).statusCode()).isEqualTo(200);

    assertThat(health()).as("served, but no check has finished").isEqualTo("Unknown");
    await().atMost(Duration.ofSeconds(10)).until(() -> health().equals("Down"));
  }

  private String health() {
    return AdminHarness.read(h.get("/v1/loadbalancers/" + ID).body())
        .get("backends")
        .get(0)
        .get("health")
        .asText();
  }
}
