package dev.fulcrum.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.api.Balance;
import dev.fulcrum.proxy.testing.EchoBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigPushUnderLoadTest {
  @TempDir Path stateDir;
  private ProxyHarness proxy;
  private final List<StreamingClient> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(StreamingClient::close);
    proxy.close();
  }

  @Test
  void hundredPushesWhileFiftyClientsStreamLoseOrCorruptNoByte() throws Exception {
    proxy = new ProxyHarness(stateDir);
    EchoBackend a = proxy.backend("a", "127.0.0.2");
    EchoBackend b = proxy.backend("b", "127.0.0.3");
    EchoBackend c = proxy.backend("c", "127.0.0.4");
    EchoBackend d = proxy.backend("d", "127.0.0.5");
    Balance[] balances = Balance.values();
    proxy.apply(proxy.config(Balance.LEAST_CONNECTIONS, List.of(a, b, c)));

    long startedAt = System.nanoTime();
    for (int push = 0; push < 100; push++) {
      boolean withD = push % 2 == 0;
      proxy.apply(
          proxy.config(
              balances[push % balances.length], withD ? List.of(a, b, c, d) : List.of(a, b, c)));
      if (!withD) {
        // A new client joins after each push that leaves d out, so it lands on a stable backend.
        clients.add(new StreamingClient(proxy.proxyAddress(), push));
      }
      if (!clients.isEmpty()) {
        long before = totalEchoed();
        StreamingClient newest = clients.get(clients.size() - 1);
        // Let bytes flow between pushes, so every push lands mid-stream; the newest client too, or
        // the last one could be stopped before its writer thread ever ran.
        await()
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(5))
            .atMost(Duration.ofSeconds(30))
            .until(() -> totalEchoed() > before && newest.echoed() > 0);
      }
    }

    long pushedAt = System.nanoTime();
    clients.forEach(StreamingClient::stopSending);
    List<StreamingClient.Result> results = new ArrayList<>();
    for (StreamingClient client : clients) {
      results.add(client.finish());
    }
    System.out.printf(
        "pushes took %d ms, drained in %d ms, %d MiB echoed%n",
        (pushedAt - startedAt) / 1_000_000,
        (System.nanoTime() - pushedAt) / 1_000_000,
        results.stream().mapToLong(StreamingClient.Result::echoed).sum() >> 20);
    assertThat(results).hasSize(50);
    for (StreamingClient.Result r : results) {
      assertThat(r.backend()).isIn("a", "b", "c");
      assertThat(r.error()).as("client on %s", r.backend()).isNull();
      assertThat(r.sent()).isPositive();
      assertThat(r.echoed()).as("bytes echoed via %s", r.backend()).isEqualTo(r.sent());
      assertThat(r.echoedCrc()).as("CRC32 via %s", r.backend()).isEqualTo(r.sentCrc());
    }
    assertThat(results.stream().map(StreamingClient.Result::backend).distinct().count())
        .isGreaterThan(1);
  }

  private long totalEchoed() {
    return clients.stream().mapToLong(StreamingClient::echoed).sum();
  }
}
