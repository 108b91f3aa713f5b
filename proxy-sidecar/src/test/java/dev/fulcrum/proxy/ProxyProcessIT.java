package dev.fulcrum.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.proxy.api.WireJson;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.Greetings;
import dev.fulcrum.proxy.testing.ProxyProcess;
import dev.fulcrum.proxy.testing.TestConfigs;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runnable jar as a real process: pushed to, killed with SIGKILL, restarted without a push. */
class ProxyProcessIT {
  private static final String ID = "fulcrum-system.k3s-api";
  private static final String TOKEN = "it-token-5f0c2b9e";

  @TempDir Path dir;
  private final EchoBackend a = EchoBackend.start("server-a", "127.0.0.1");
  private final EchoBackend b = EchoBackend.start("server-b", "127.0.0.1");
  private ProxyProcess proxy;

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    a.close();
    b.close();
  }

  @Test
  void aProxyKilledWithSigkillServesItsLastAppliedConfigOnRestartWithNoPush() throws Exception {
    int frontendPort = TestConfigs.freePort();
    proxy = ProxyProcess.start(dir, TOKEN, "first.log");
    String pushed = WireJson.MAPPER.writeValueAsString(TestConfigs.config(frontendPort, 4, a, b));
    HttpResponse<String> put =
        proxy
            .admin()
            .send(
                proxy
                    .adminRequest("/v1/loadbalancers/" + ID, TOKEN)
                    .PUT(HttpRequest.BodyPublishers.ofString(pushed))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    String version = WireJson.MAPPER.readTree(put.body()).path("appliedVersion").asText();
    String firstBoot = status(proxy).path("bootId").asText();
    assertThat(Greetings.at(frontendPort)).isIn("server-a", "server-b");

    proxy.close(); // SIGKILL, before the clock starts
    long restartedAt = System.nanoTime();
    proxy = proxy.restart("second.log");
    String served =
        await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(() -> Greetings.at(frontendPort), g -> !g.isEmpty());
    long firstByteMillis = (System.nanoTime() - restartedAt) / 1_000_000;
    System.out.printf(
        "restart to first proxied byte: %d ms (JVM start included)%n", firstByteMillis);

    assertThat(served).isIn("server-a", "server-b");
    JsonNode after =
        await()
            .atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .until(() -> status(proxy), s -> s.has("bootId"));
    assertThat(after.path("bootId").asText()).isNotEqualTo(firstBoot);
    assertThat(after.path("loadBalancers").get(0).path("appliedVersion").asText())
        .isEqualTo(version);
    assertThat(after.path("loadBalancers").get(0).path("epoch").asLong()).isEqualTo(4);
  }

  @Test
  void aConfigFileErrorStopsStartUpNamingFileLineAndField() throws Exception {
    proxy =
        ProxyProcess.start(
            dir, TOKEN, "bad.log", yaml -> yaml.replace("workerThreads: 1", "workerThreads: -1"));

    assertThat(proxy.exitCode(Duration.ofSeconds(60))).hasValue(2);
    assertThat(proxy.output())
        .contains(proxy.config() + ":5: workerThreads: must be between 0 and 256 (got -1)");
  }

  private static JsonNode status(ProxyProcess p) throws Exception {
    HttpResponse<String> r =
        await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(
                () ->
                    p.admin()
                        .send(
                            p.adminRequest("/v1/status", TOKEN).GET().build(),
                            HttpResponse.BodyHandlers.ofString()),
                resp -> resp.statusCode() == 200);
    return WireJson.MAPPER.readTree(r.body());
  }
}
