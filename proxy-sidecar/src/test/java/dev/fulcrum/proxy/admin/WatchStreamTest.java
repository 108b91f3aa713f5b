package dev.fulcrum.proxy.admin;

import static dev.fulcrum.proxy.admin.AdminHarness.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.HealthCheckConfig;
import dev.fulcrum.proxy.api.HealthCheckMode;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.TestConfigs;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v1/watch}: a revision line at once, on every change, and as a heartbeat. */
class WatchStreamTest {
  private static final String ID = "ns.lb";

  @TempDir Path dir;
  private AdminHarness h;
  private EchoBackend a;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private Thread reader;

  @BeforeEach
  void start() throws Exception {
    h = new AdminHarness(dir, () -> null);
    a = EchoBackend.start("a", "127.0.0.1");
  }

  @AfterEach
  void stop() throws Exception {
    if (reader != null) {
      reader.interrupt();
    }
    h.close();
    a.close();
  }

  @Test
  void aWatcherHearsOfAPushAndOfABackendGoingDownAndOnlyThen() throws Exception {
    watch();
    await().atMost(Duration.ofSeconds(10)).until(() -> !lines.isEmpty());
    String first = revision(lines.get(0));

    int port = TestConfigs.freePort();
    assertThat(h.put(ID, checkedEverySecond(port, a)).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> !latest().equals(first));
    // The first check's Unknown -> Up is a change of its own; counters are measured after it.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> h.get("/v1/loadbalancers/" + ID).body().contains("\"Up\""));
    int settled = lines.size();
    await().atMost(Duration.ofSeconds(10)).until(() -> lines.size() >= settled + 2);
    String applied = latest();

    // Traffic moves counters only: the revision stays while heartbeats keep coming.
    for (int i = 0; i < 5; i++) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.getInputStream().read();
      }
    }
    int seen = lines.size();
    await().atMost(Duration.ofSeconds(10)).until(() -> lines.size() >= seen + 2);
    assertThat(latest()).as("counters are not a change").isEqualTo(applied);

    a.kill();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                !latest().equals(applied)
                    && h.get("/v1/loadbalancers/" + ID).body().contains("\"Down\""));
  }

  @Test
  void theStreamNeedsTheTokenAndOnlyAnswersGet() throws Exception {
    HttpResponse<String> none = h.send(h.request("/v1/watch", null).GET().build());
    assertThat(none.statusCode()).isEqualTo(401);
    HttpResponse<String> post =
        h.send(h.request("/v1/watch", TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  void aStreamEndsWithinAHeartbeatOnceItsTokenIsRotatedAway() throws Exception {
    watch();
    await().atMost(Duration.ofSeconds(10)).until(() -> !lines.isEmpty());
    java.nio.file.Files.writeString(h.tokenFile, "another-token-0123456789\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> !reader.isAlive());
    assertThat(h.send(h.request("/v1/watch", TOKEN).GET().build()).statusCode()).isEqualTo(401);
  }

  @Test
  void anOpenWatchHoldsUpNoOtherRequest() throws Exception {
    watch();
    await().atMost(Duration.ofSeconds(10)).until(() -> !lines.isEmpty());
    assertThat(h.get("/v1/status").statusCode()).isEqualTo(200);
  }

  /**
   * A stopped admin API closes what it had open: the operator's stream ends at once (it does not
   * wait out its silence watchdog), and its next request finds nothing listening rather than a
   * kept-alive connection that no one reads any more.
   */
  @Test
  void stoppingTheServerEndsOpenStreamsAndKeptAliveConnections() throws Exception {
    watch();
    await().atMost(Duration.ofSeconds(10)).until(() -> !lines.isEmpty());
    assertThat(h.get("/v1/status").statusCode()).isEqualTo(200); // one idle kept-alive connection
    h.admin.close();
    await().atMost(Duration.ofSeconds(2)).until(() -> !reader.isAlive());
    HttpRequest again = h.request("/v1/status", TOKEN).timeout(Duration.ofSeconds(5)).GET().build();
    assertThatThrownBy(() -> h.send(again)).hasCauseInstanceOf(ConnectException.class);
  }

  private LoadBalancerConfig checkedEverySecond(int port, EchoBackend b) {
    LoadBalancerConfig c =
        TestConfigs.config(port, 5, List.of(new BackendConfig(b.name(), b.host(), b.port())));
    return TestConfigs.withHealthCheck(
        c, new HealthCheckConfig(HealthCheckMode.TCP, 1, 1, 1, 1, 1, null, null, null));
  }

  private void watch() throws Exception {
    HttpResponse<Stream<String>> r =
        h.client.send(
            h.request("/v1/watch", TOKEN).GET().build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue(WatchStream.CONTENT_TYPE);
    reader =
        new Thread(
            () -> {
              try {
                r.body().forEach(lines::add);
              } catch (RuntimeException ended) {
                // the proxy closed the stream
              }
            },
            "watch-reader");
    reader.setDaemon(true);
    reader.start();
  }

  private String latest() {
    return revision(lines.get(lines.size() - 1));
  }

  private static String revision(String line) {
    return AdminHarness.read(line).get("revision").asText();
  }
}
