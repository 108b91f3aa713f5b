package dev.fulcrum.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.Balance;
import dev.fulcrum.proxy.testing.EchoBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reconnect-storm guard through a real proxy: clients over a backend's pace wait on their
 * accepted connection and are all answered, the backends see new connections at the pace, and a
 * server that answers no SYN is never sent more dials at once than the cap.
 */
class AdmissionPaceTest {
  private static final int PER_SECOND = 100; // per backend; a tenth of a second's worth at once
  private static final int BURST = PER_SECOND / 10;
  private static final String FILLER = "127.0.0.9"; // the source of the sockets that fill a queue
  private static final String FILLER_HEX = "0900007F:"; // as /proc/net/tcp writes it

  @TempDir Path stateDir;
  private ProxyHarness proxy;
  private final List<TestClient> clients = new ArrayList<>();
  private final List<Socket> raw = new ArrayList<>();
  private ServerSocket stuck;

  @BeforeEach
  void start() {
    proxy = new ProxyHarness(stateDir);
  }

  @AfterEach
  void stop() throws IOException {
    clients.forEach(TestClient::close);
    for (Socket s : raw) {
      s.close();
    }
    if (stuck != null) {
      stuck.close();
    }
    proxy.close();
  }

  @Test
  void clientsOverThePaceWaitAndEveryOneIsAnswered() {
    List<EchoBackend> servers =
        List.of(
            proxy.backend("a", "127.0.0.2"),
            proxy.backend("b", "127.0.0.3"),
            proxy.backend("c", "127.0.0.4"));
    proxy.apply(
        proxy.config(
            Balance.ROUND_ROBIN, servers, ProxyHarness.Knobs.defaults().paced(PER_SECOND, null)));
    await().until(() -> servers.stream().allMatch(s -> s.accepted() > 0)); // the first checks
    int checks = servers.stream().mapToInt(EchoBackend::accepted).sum();

    int storm = 3 * 150; // 1.5 s of each backend's pace, arriving within a fraction of it
    for (int i = 0; i < storm; i++) {
      clients.add(TestClient.connect(proxy.proxyAddress()));
    }
    assertThat(clients).allSatisfy(c -> assertThat(c.greeting()).isIn("a", "b", "c"));
    assertThat(servers.stream().mapToInt(EchoBackend::accepted).sum() - checks).isEqualTo(storm);

    String metrics = proxy.metrics.scrape();
    assertThat(sum(metrics, "fulcrum_backend_dials_paced_total"))
        .as("clients that waited for their turn")
        .isGreaterThan(storm / 2);
    assertThat(sum(metrics, "fulcrum_backend_dials_waiting")).isZero();

    for (EchoBackend s : servers) {
      List<Long> at = s.acceptedAtNanos();
      at = at.subList(at.size() - 150, at.size());
      // Any 60 accepts in a row span at least the time the pace needs for 60 - BURST of them,
      // less 100 ms for the proxy's and the backend's loops to pass each one on.
      long minSpanNanos = TimeUnit.MILLISECONDS.toNanos(1000L * (60 - BURST) / PER_SECOND - 100);
      for (int i = 0; i + 59 < at.size(); i++) {
        assertThat(at.get(i + 59) - at.get(i))
            .as("%s: accepts %d..%d arrive at the pace", s.name(), i, i + 59)
            .isGreaterThanOrEqualTo(minSpanNanos);
      }
    }
  }

  @Test
  void aServerThatAnswersNoSynGetsNoMoreDialsAtOnceThanTheCap() throws Exception {
    EchoBackend a = proxy.backend("a", "127.0.0.2");
    // A listener whose accept queue is full: the kernel drops further SYNs, as a server too busy
    // to accept does, so every dial to it hangs until the connect timeout.
    stuck = new ServerSocket();
    stuck.bind(new InetSocketAddress("127.0.0.5", 0), 1);
    try {
      for (int i = 0; i < 4; i++) {
        Socket s = new Socket();
        raw.add(s);
        s.bind(new InetSocketAddress(FILLER, 0)); // left out of the count below
        s.connect(stuck.getLocalSocketAddress(), 50);
      }
    } catch (IOException queueFull) {
      // the last of them may already hang: the queue is full either way
    }
    int cap = 3;
    proxy.apply(
        proxy.configOf(
            Balance.ROUND_ROBIN,
            List.of(
                new BackendConfig("a", a.host(), a.port()),
                new BackendConfig("stuck", "127.0.0.5", stuck.getLocalPort())),
            ProxyHarness.Knobs.defaults().paced(0, cap)));

    AtomicBoolean storming = new AtomicBoolean(true);
    AtomicInteger mostAtOnce = new AtomicInteger();
    Thread sampler =
        new Thread(
            () -> {
              while (storming.get()) {
                mostAtOnce.accumulateAndGet(synSentTo(stuck.getLocalPort()), Math::max);
              }
            });
    sampler.start();
    for (int i = 0; i < 30; i++) {
      clients.add(TestClient.connect(proxy.proxyAddress()));
    }
    assertThat(clients)
        .as("clients of the stuck server move on to one that answers")
        .allSatisfy(c -> assertThat(c.greeting()).isEqualTo("a"));
    storming.set(false);
    sampler.join();

    // About 15 clients were picked for the stuck server at once; its health check may add one.
    assertThat(mostAtOnce.get()).isBetween(1, cap + 1);
  }

  private static double sum(String scrape, String metric) {
    return scrape
        .lines()
        .filter(l -> l.startsWith(metric + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  /**
   * Connections from this host to {@code port} waiting for a SYN-ACK, from /proc/net/tcp and tcp6
   * (a Java socket is an IPv6 one even to an IPv4 address).
   */
  private static int synSentTo(int port) {
    String wanted = String.format(":%04X", port);
    int n = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        n +=
            (int)
                Files.readAllLines(Path.of(table)).stream()
                    .skip(1)
                    .map(l -> l.trim().split("\\s+"))
                    .filter(f -> f[2].endsWith(wanted) && f[3].equals("02"))
                    .filter(f -> !f[1].contains(FILLER_HEX))
                    .count();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return n;
  }
}
