package dev.fulcrum.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.api.Balance;
import dev.fulcrum.proxy.testing.EchoBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FailoverTest {
  @TempDir Path stateDir;
  private ProxyHarness proxy;

  @AfterEach
  void stop() {
    proxy.close();
  }

  @Test
  void killingABackendWhile1000ConnectionsOpenLeavesNoClientWithoutAGreeting() {
    proxy = new ProxyHarness(stateDir);
    EchoBackend a = proxy.backend("a", "127.0.0.2");
    EchoBackend b = proxy.backend("b", "127.0.0.3");
    EchoBackend c = proxy.backend("c", "127.0.0.4");
    // Round-robin is certain to pick the dead backend right after the kill; health checks are
    // hourly, so only the failed dial itself can route around it.
    proxy.apply(proxy.config(Balance.ROUND_ROBIN, List.of(a, b, c)));

    List<String> failures = new ArrayList<>();
    Map<String, Integer> afterKill = new HashMap<>();
    for (int i = 0; i < 1000; i++) {
      if (i == 300) {
        b.kill();
      }
      try (TestClient client = TestClient.connect(proxy.proxyAddress())) {
        String greeting = client.greeting();
        if (greeting == null) {
          failures.add("connection " + i + " ended without a greeting");
        } else if (i >= 300) {
          afterKill.merge(greeting, 1, Integer::sum);
        }
      }
    }

    assertThat(failures).isEmpty();
    assertThat(afterKill.keySet()).containsExactlyInAnyOrder("a", "c");
    assertThat(afterKill.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(700);
    assertThat(proxy.health("b")).isEqualTo("Down");
    assertThat(proxy.health("a")).isEqualTo("Up");
  }
}
