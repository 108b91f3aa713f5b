package dev.fulcrum.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.engine.ProxyEngine;
import dev.fulcrum.proxy.metrics.ProxyMetrics;
import dev.fulcrum.proxy.net.Transport;
import dev.fulcrum.proxy.store.StateStore;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.TestConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TelemetryTest {
  private static final String ID = "fulcrum-system.k3s-api";

  @TempDir Path dir;
  private final HttpClient client = HttpClient.newHttpClient();
  private Transport transport;
  private ProxyEngine engine;
  private TelemetryServer telemetry;
  private EchoBackend a;

  @BeforeEach
  void start() throws IOException {
    transport = new Transport(1, Transport.Kind.NIO);
    ProxyMetrics metrics = new ProxyMetrics();
    engine =
        new ProxyEngine("lb-tel", null, transport, new StateStore(dir.resolve("state")), metrics);
    telemetry = new TelemetryServer(new InetSocketAddress("127.0.0.1", 0), engine, metrics).start();
    a = EchoBackend.start("a", "127.0.0.1");
  }

  @AfterEach
  void stop() {
    telemetry.close();
    engine.close();
    transport.close();
    a.close();
  }

  private HttpResponse<String> get(String path) {
    URI uri = URI.create("http://127.0.0.1:" + telemetry.localAddress().getPort() + path);
    try {
      return client.send(
          HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void readyzIs503WithTheReasonWhileNothingIsConfiguredAndHealthzIsOk() {
    HttpResponse<String> ready = get("/readyz");

    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).contains("no load balancer is configured");
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    assertThat(get("/healthz").body()).isEqualTo("ok\n");
    assertThat(get("/nothing").statusCode()).isEqualTo(404);
  }

  @Test
  void readyzIs200OnceAFrontendListensWithABackendUp() {
    engine.apply(ID, TestConfigs.config(TestConfigs.freePort(), 1, a), null);

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(get("/readyz").statusCode()).isEqualTo(200));
  }

  @Test
  void readyzIs503NamingTheLoadBalancerWhenItsOnlyBackendFailed() {
    EchoBackend dead = EchoBackend.start("dead", "127.0.0.1");
    dead.kill();
    int port = TestConfigs.freePort();
    engine.apply(ID, TestConfigs.config(port, 1, dead), null);

    // A failed dial marks the backend down at once (passive health check).
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    } catch (IOException expected) {
      // a reset is as good as a close: the client was refused
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              HttpResponse<String> ready = get("/readyz");
              assertThat(ready.statusCode()).isEqualTo(503);
              assertThat(ready.body()).contains(ID).contains("no backend is up");
            });
  }

  /**
   * Each VRRP instance asks for its own VIP: a resource whose only server is dead fails its VIP's
   * readiness and leaves the other VIP where it is.
   */
  @Test
  void eachVipIsReadyByItsOwnLoadBalancersOnly() {
    EchoBackend dead = EchoBackend.start("dead", "127.0.0.1");
    dead.kill();
    engine.apply(
        "fulcrum-system.api",
        TestConfigs.onVip(
            TestConfigs.config(TestConfigs.freePort(), 1, a), "192.0.2.100/24", 51, Map.of()),
        null);
    engine.apply(
        "fulcrum-system.ingress",
        TestConfigs.onVip(
            TestConfigs.config(TestConfigs.freePort(), 1, dead), "192.0.2.101/24", 52, Map.of()),
        null);

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              HttpResponse<String> ingress = get("/readyz?vip=192.0.2.101");
              assertThat(ingress.statusCode()).isEqualTo(503);
              assertThat(ingress.body()).contains("fulcrum-system.ingress");
              assertThat(get("/readyz?vip=192.0.2.100").statusCode()).isEqualTo(200);
              assertThat(get("/readyz").statusCode()).as("the host as a whole").isEqualTo(503);
            });
    HttpResponse<String> unknown = get("/readyz?vip=192.0.2.7");
    assertThat(unknown.statusCode()).isEqualTo(503);
    assertThat(unknown.body()).contains("no load balancer on this proxy has the VIP 192.0.2.7");
  }

  @Test
  void readyzReportsAStateFileThatWasMovedAside() throws IOException {
    Path state = Files.createDirectories(dir.resolve("state")).resolve("state.json");
    Files.writeString(state, "{\"highestEpoch\": 3, \"loadBal");

    engine.restore();

    HttpResponse<String> ready = get("/readyz");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).contains(state.toString()).contains("state.json.corrupt-");
  }

  @Test
  void metricsShowPerBackendSeriesAfterTraffic() throws IOException {
    int port = TestConfigs.freePort();
    LoadBalancerConfig config = TestConfigs.config(port, 1, a);
    engine.apply(ID, config, null);

    String echoed = roundTrip(port, "hello through the proxy\n");

    assertThat(echoed).isEqualTo("a\nhello through the proxy\n");
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              String text = get("/metrics").body();
              assertThat(value(text, "fulcrum_backend_connections_total", "a")).hasValue(1);
              assertThat(value(text, "fulcrum_backend_sent_bytes_total", "a")).hasValue(24);
              assertThat(value(text, "fulcrum_backend_received_bytes_total", "a")).hasValue(26);
              assertThat(value(text, "fulcrum_backend_dial_latency_seconds_count", "a"))
                  .hasValue(1);
              assertThat(value(text, "fulcrum_backend_up", "a")).hasValue(1);
              assertThat(value(text, "fulcrum_backend_connections_active", "a")).hasValue(0);
              // The first TCP check runs at once on apply.
              assertThat(value(text, "fulcrum_backend_health_checks_total", "a")).hasValue(1);
              assertThat(value(text, "fulcrum_backend_health_check_failures_total", "a"))
                  .hasValue(0);
              assertThat(text)
                  .contains(
                      "fulcrum_loadbalancer_applied_info{lb=\""
                          + ID
                          + "\",version=\""
                          + config.contentVersion()
                          + "\"} 1");
            });
  }

  @Test
  void deletedLoadBalancerAndReplacedBackendsLoseTheirSeries() throws IOException {
    int port = TestConfigs.freePort();
    engine.apply(ID, TestConfigs.config(port, 1, a), null);
    assertThat(value(get("/metrics").body(), "fulcrum_backend_up", "a")).hasValue(1);

    engine.apply(
        ID, TestConfigs.config(port, 1, List.of(new BackendConfig("b", "127.0.0.1", 1))), null);
    String afterSwap = get("/metrics").body();
    assertThat(value(afterSwap, "fulcrum_backend_up", "a")).isEmpty();
    assertThat(value(afterSwap, "fulcrum_backend_up", "b")).isPresent();

    engine.delete(ID);
    assertThat(get("/metrics").body()).doesNotContain("lb=\"" + ID + "\"");
  }

  /** Connects through the frontend, sends {@code text} and reads the greeting plus the echo. */
  private static String roundTrip(int port, String text) throws IOException {
    byte[] out = text.getBytes(StandardCharsets.UTF_8);
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      OutputStream o = s.getOutputStream();
      o.write(out);
      o.flush();
      InputStream in = s.getInputStream();
      return new String(in.readNBytes("a\n".length() + out.length), StandardCharsets.UTF_8);
    }
  }

  /** The value of {@code metric} for backend {@code backend}, if the series exists. */
  private static OptionalDouble value(String scrape, String metric, String backend) {
    return scrape
        .lines()
        .filter(l -> l.startsWith(metric + "{") && l.contains("backend=\"" + backend + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst();
  }
}
