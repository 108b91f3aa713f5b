package dev.fulcrum.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.api.Balance;
import dev.fulcrum.proxy.testing.EchoBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BalancingTest {
  @TempDir Path stateDir;
  private ProxyHarness proxy;
  private EchoBackend a;
  private EchoBackend b;
  private EchoBackend c;

  @BeforeEach
  void start() {
    proxy = new ProxyHarness(stateDir);
    a = proxy.backend("a", "127.0.0.2");
    b = proxy.backend("b", "127.0.0.3");
    c = proxy.backend("c", "127.0.0.4");
  }

  @AfterEach
  void stop() {
    proxy.close();
  }

  @Test
  void roundRobinSpreads300ConnectionsExactlyEvenly() {
    proxy.apply(proxy.config(Balance.ROUND_ROBIN, List.of(a, b, c)));
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      try (TestClient client = TestClient.connect(proxy.proxyAddress())) {
        seen.merge(String.valueOf(client.greeting()), 1, Integer::sum);
      }
    }
    assertThat(seen).containsOnly(Map.entry("a", 100), Map.entry("b", 100), Map.entry("c", 100));
  }

  @Test
  void leastConnectionsSendsNewClientsToTheBackendsWithFewestOpen() {
    proxy.apply(proxy.config(Balance.LEAST_CONNECTIONS, List.of(a)));
    List<TestClient> onA = open(5);
    assertThat(greetings(onA)).containsOnly("a");

    proxy.apply(proxy.config(Balance.LEAST_CONNECTIONS, List.of(a, b, c)));
    List<TestClient> next = open(10);
    assertThat(count(greetings(next))).containsOnly(Map.entry("b", 5), Map.entry("c", 5));

    List<TestClient> even = open(3);
    assertThat(count(greetings(even)))
        .containsOnly(Map.entry("a", 1), Map.entry("b", 1), Map.entry("c", 1));

    // Free three slots on b: the next three clients must all land there.
    next.stream().filter(t -> "b".equals(t.lastGreeting)).limit(3).forEach(TestClient::close);
    await().atMost(Duration.ofSeconds(10)).until(() -> proxy.activeByBackend().get("b") == 3);
    assertThat(greetings(open(3))).containsOnly("b");
  }

  @Test
  void sourceHashKeepsEachClientAddressOnOneBackendAndSpreadsAddresses() {
    proxy.apply(proxy.config(Balance.SOURCE_HASH, List.of(a, b, c)));
    Set<String> used = new HashSet<>();
    for (int host = 10; host < 40; host++) {
      String source = "127.0.0." + host;
      Set<String> forSource = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        try (TestClient client = TestClient.connect(proxy.proxyAddress(), source)) {
          forSource.add(client.greeting());
        }
      }
      assertThat(forSource).as("backends seen by %s", source).hasSize(1).doesNotContainNull();
      used.addAll(forSource);
    }
    assertThat(used).containsExactlyInAnyOrder("a", "b", "c");
  }

  private List<TestClient> open(int n) {
    List<TestClient> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TestClient client = TestClient.connect(proxy.proxyAddress());
      client.greeting();
      out.add(client);
    }
    return out;
  }

  private static List<String> greetings(List<TestClient> clients) {
    return clients.stream().map(t -> t.lastGreeting).toList();
  }

  private static Map<String, Integer> count(List<String> names) {
    Map<String, Integer> out = new HashMap<>();
    names.forEach(n -> out.merge(String.valueOf(n), 1, Integer::sum));
    return out;
  }
}
