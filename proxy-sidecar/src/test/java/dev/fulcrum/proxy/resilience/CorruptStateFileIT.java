package dev.fulcrum.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.api.WireJson;
import dev.fulcrum.proxy.store.StateStore;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.Greetings;
import dev.fulcrum.proxy.testing.ProxyProcess;
import dev.fulcrum.proxy.testing.TestConfigs;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Scenario 6: the real proxy process starting on a truncated, garbled or empty state file says so,
 * moves the file aside, stays up, reports why on /readyz, and serves again after the next push.
 */
class CorruptStateFileIT {
  private static final String ID = "fulcrum-system.k3s-api";
  private static final String TOKEN = "it-token-corrupt-7c1d";

  @TempDir Path dir;
  private final EchoBackend a = EchoBackend.start("server-a", "127.0.0.1");
  private ProxyProcess proxy;

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    a.close();
  }

  @ParameterizedTest(name = "{0} state file")
  @ValueSource(strings = {"truncated", "garbled", "empty"})
  void aDamagedStateFileIsMovedAsideReportedAndReplacedByTheNextPush(String damage)
      throws Exception {
    int frontendPort = TestConfigs.freePort();
    Path stateDir = Files.createDirectories(dir.resolve("state"));
    StateStore store = new StateStore(stateDir);
    store.save(Map.of(ID, TestConfigs.config(frontendPort, 2, a).stamped(2)), Map.of(ID, 2L));
    byte[] valid = Files.readAllBytes(store.file());
    byte[] damaged =
        switch (damage) {
          case "truncated" -> Arrays.copyOf(valid, valid.length / 2);
          case "garbled" -> "\u0000\u0000\u0000 not state \u0000".getBytes();
          default -> new byte[0];
        };
    Files.write(store.file(), damaged);

    proxy = ProxyProcess.start(dir, TOKEN, "proxy.log");

    HttpResponse<String> ready = proxy.telemetry("/readyz");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body())
        .contains("The state file " + store.file())
        .contains("was not loaded because")
        .contains("state.json.corrupt-")
        .contains("serves nothing until the operator pushes again");
    assertThat(proxy.telemetry("/healthz").statusCode()).isEqualTo(200);
    Path aside = onlyCorruptFile(stateDir);
    assertThat(Files.readAllBytes(aside)).isEqualTo(damaged);
    assertThat(proxy.output()).contains("The state file " + store.file() + " was not loaded");
    assertThat(proxy.isAlive()).as("no crash on a bad state file").isTrue();

    String body = WireJson.MAPPER.writeValueAsString(TestConfigs.config(frontendPort, 3, a));
    HttpResponse<String> put =
        proxy.send(
            proxy
                .adminRequest("/v1/loadbalancers/" + ID, TOKEN)
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build());

    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(Greetings.at(frontendPort)).isEqualTo("server-a");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(proxy.telemetry("/readyz").statusCode()).isEqualTo(200));
    assertThat(new StateStore(stateDir).load().loadBalancers()).containsOnlyKeys(ID);
    assertThat(proxy.isAlive()).isTrue();
  }

  private static Path onlyCorruptFile(Path stateDir) throws Exception {
    try (Stream<Path> files = Files.list(stateDir)) {
      List<Path> corrupt =
          files.filter(p -> p.getFileName().toString().startsWith("state.json.corrupt-")).toList();
      assertThat(corrupt).hasSize(1);
      return corrupt.get(0);
    }
  }
}
