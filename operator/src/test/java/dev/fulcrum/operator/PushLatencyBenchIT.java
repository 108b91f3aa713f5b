package dev.fulcrum.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.push.EpochSource;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.RealProxy;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.operator.testing.TestCluster;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a timed assertion: Node NotReady in the API server → both proxies have applied the
 * set without it, over 50 trials (mock API server, informer, reconcile, two TLS PUTs).
 */
@EnableKubernetesMockClient(crud = true)
class PushLatencyBenchIT {
  static final String ID = Resources.NAMESPACE + ".k3s-api";
  static final int TRIALS = 50;
  static KubernetesClient client;

  @org.junit.jupiter.api.io.TempDir Path dir;

  @Test
  void reportsNodeNotReadyToAllProxiesAppliedLatency() throws Exception {
    Pki.Issued ca = TestPki.authority("bench-ca");
    try (RealProxy lb1 = new RealProxy("lb-1", "127.0.0.1", ca, "t", dir.resolve("lb-1"));
        RealProxy lb2 = new RealProxy("lb-2", "127.0.0.2", ca, "t", dir.resolve("lb-2"))) {
      String report =
          measure(
              ca,
              List.of(
                  new ProxySpec("lb-1", lb1.endpoint(), 2),
                  new ProxySpec("lb-2", lb2.endpoint(), 1)),
              List.of(lb1, lb2),
              "Node NotReady -> both proxies applied");
      write("push-latency.txt", report);
    }
  }

  /**
   * The same with lb-2 black-holed (its admin port's accept queue is full, so every connect hangs
   * until the client's 3 s deadline): how soon lb-1 applies each change.
   */
  @Test
  void reportsTheLatencyOfTheProxyThatAnswersWhileTheOtherIsBlackHoled() throws Exception {
    Pki.Issued ca = TestPki.authority("bench-ca");
    List<Socket> fillers = new ArrayList<>();
    try (RealProxy lb1 = new RealProxy("lb-1", "127.0.0.1", ca, "t", dir.resolve("lb-1"));
        ServerSocket blackHole = new ServerSocket()) {
      blackHole.bind(new InetSocketAddress("127.0.0.3", 0), 1);
      try {
        for (int i = 0; i < 4; i++) {
          Socket s = new Socket();
          fillers.add(s);
          s.connect(blackHole.getLocalSocketAddress(), 50);
        }
      } catch (IOException queueFull) {
        // the queue is full either way
      }
      String report =
          measure(
              ca,
              List.of(
                  new ProxySpec("lb-1", lb1.endpoint(), 2),
                  new ProxySpec("lb-2", "https://127.0.0.3:" + blackHole.getLocalPort(), 1)),
              List.of(lb1),
              "Node NotReady -> lb-1 applied, lb-2 black-holed");
      write("push-latency-black-holed.txt", report);
    } finally {
      for (Socket s : fillers) {
        s.close();
      }
    }
  }

  /** Node NotReady → every watched proxy applied the set without it, over {@link #TRIALS}. */
  private String measure(
      Pki.Issued ca, List<ProxySpec> proxies, List<RealProxy> watched, String what) {
    try (TestCluster cluster = new TestCluster(client).startOperator(EpochSource.none())) {
      client
          .secrets()
          .resource(Resources.credentials("t", ca.certificatePem()))
          .createOr(r -> r.update());
      for (int i = 1; i <= 3; i++) {
        cluster.put(Nodes.server("server-" + i, "127.0.0.1" + i).build());
      }
      client.resource(Resources.elb("k3s-api", 6443, null, proxies)).create();
      await()
          .atMost(TestCluster.PATIENCE)
          .until(() -> watched.stream().allMatch(p -> p.status(ID) != null));
      // The first reconcile is done (a proxy that does not answer shows Unreachable): trials
      // measure changes, not the first round's wait for a dead proxy's deadline.
      await()
          .atMost(TestCluster.PATIENCE)
          .until(
              () ->
                  cluster.status("k3s-api") != null
                      && cluster.status("k3s-api").proxies.stream()
                          .noneMatch(p -> "Pending".equals(p.state)));

      long[] micros = new long[TRIALS];
      for (int t = 0; t < TRIALS; t++) {
        String leaving = "server-" + (t % 3 + 1);
        String ip = "127.0.0.1" + (t % 3 + 1);
        long start = System.nanoTime();
        cluster.put(Nodes.server(leaving, ip).ready(false).build());
        await()
            .atMost(TestCluster.PATIENCE)
            .pollInterval(Duration.ofMillis(2))
            .until(() -> watched.stream().noneMatch(p -> serves(p, leaving)));
        micros[t] = (System.nanoTime() - start) / 1000;
        cluster.put(Nodes.server(leaving, ip).build());
        await()
            .atMost(TestCluster.PATIENCE)
            .until(() -> watched.stream().allMatch(p -> serves(p, leaving)));
      }
      Arrays.sort(micros);
      assertThat(micros[0]).isPositive();
      return String.format(
          "%s, %d trials (mock API server, real proxies, admin API over TLS):%n"
              + "  p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
          what,
          TRIALS,
          micros[TRIALS / 2] / 1000.0,
          micros[(int) Math.ceil(TRIALS * 0.99) - 1] / 1000.0,
          micros[TRIALS - 1] / 1000.0);
    }
  }

  private static void write(String file, String report) throws IOException {
    System.out.print(report);
    Path out = Path.of("target/bench/" + file);
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
  }

  private static boolean serves(RealProxy proxy, String name) {
    return proxy.served(ID).contains(name);
  }
}
