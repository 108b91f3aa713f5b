package dev.fulcrum.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.proxy.admin.TestConfigs;
import dev.fulcrum.proxy.api.WireJson;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.Greetings;
import dev.fulcrum.proxy.testing.TlsClients;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
  private Process proxy;

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.destroyForcibly();
    }
    a.close();
    b.close();
  }

  @Test
  void aProxyKilledWithSigkillServesItsLastAppliedConfigOnRestartWithNoPush() throws Exception {
    int adminPort = TestConfigs.freePort();
    int frontendPort = TestConfigs.freePort();
    Path config = writeConfig(adminPort);
    proxy = launch(config, "first.log");
    HttpClient admin = adminClient(adminPort);
    String pushed = WireJson.MAPPER.writeValueAsString(TestConfigs.config(frontendPort, 4, a, b));
    HttpResponse<String> put =
        admin.send(
            request(adminPort, "/v1/loadbalancers/" + ID)
                .PUT(HttpRequest.BodyPublishers.ofString(pushed))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    String version = WireJson.MAPPER.readTree(put.body()).path("appliedVersion").asText();
    String firstBoot = status(admin, adminPort).path("bootId").asText();
    assertThat(Greetings.at(frontendPort)).isIn("server-a", "server-b");

    proxy.destroyForcibly().waitFor();
    long restartedAt = System.nanoTime();
    proxy = launch(config, "second.log");
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
            .until(() -> status(adminClient(adminPort), adminPort), s -> s.has("bootId"));
    assertThat(after.path("bootId").asText()).isNotEqualTo(firstBoot);
    assertThat(after.path("loadBalancers").get(0).path("appliedVersion").asText())
        .isEqualTo(version);
    assertThat(after.path("loadBalancers").get(0).path("epoch").asLong()).isEqualTo(4);
  }

  @Test
  void aConfigFileErrorStopsStartUpNamingFileLineAndField() throws Exception {
    Path config = writeConfig(TestConfigs.freePort());
    Files.writeString(
        config, Files.readString(config).replace("workerThreads: 1", "workerThreads: -1"));

    proxy = launch(config, "bad.log");

    assertThat(proxy.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(proxy.exitValue()).isEqualTo(2);
    assertThat(Files.readString(dir.resolve("bad.log")))
        .contains(config + ":5: workerThreads: must be between 0 and 256 (got -1)");
  }

  private Path writeConfig(int adminPort) throws IOException {
    Files.writeString(dir.resolve("token"), TOKEN + "\n");
    Path config = dir.resolve("proxy.yaml");
    Files.writeString(
        config,
        """
        name: lb-it
        admin: {listen: "127.0.0.1:%d", tokenFile: "%s"}
        telemetry: {listen: "127.0.0.1:0"}
        stateDir: "%s"
        workerThreads: 1
        """
            .formatted(adminPort, dir.resolve("token"), dir.resolve("state")));
    return config;
  }

  private Process launch(Path config, String log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-jar",
            Path.of("target", "fulcrum-proxy.jar").toAbsolutePath().toString(),
            "--config",
            config.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(log).toFile())
        .start();
  }

  private HttpClient adminClient(int adminPort) {
    Path cert = dir.resolve("state").resolve("admin.crt");
    await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(cert));
    // The certificate is written before the admin port listens.
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> accepts(adminPort));
    return TlsClients.http(TlsClients.context(TlsClients.certificate(cert), null));
  }

  private static boolean accepts(int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      return true;
    }
  }

  private static HttpRequest.Builder request(int port, String path) {
    return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + TOKEN)
        .timeout(Duration.ofSeconds(10));
  }

  private static JsonNode status(HttpClient admin, int port) throws Exception {
    HttpResponse<String> r =
        await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(
                () ->
                    admin.send(
                        request(port, "/v1/status").GET().build(),
                        HttpResponse.BodyHandlers.ofString()),
                resp -> resp.statusCode() == 200);
    return WireJson.MAPPER.readTree(r.body());
  }
}
