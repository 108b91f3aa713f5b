package dev.fulcrum.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.status.Conditions;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.RealProxy;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.operator.testing.TestCluster;
import dev.fulcrum.proxy.admin.Pki;
import dev.fulcrum.proxy.testing.Ports;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    Pki.Issued ca = Pki.certificateAuthority("bench-ca");
    int frontendPort = Ports.free("127.0.0.1");
    try (RealProxy lb1 = new RealProxy("lb-1", "127.0.0.1", ca, "t", dir.resolve("lb-1"));
        RealProxy lb2 = new RealProxy("lb-2", "127.0.0.2", ca, "t", dir.resolve("lb-2"));
        TestCluster cluster = new TestCluster(client).startOperator(EpochSource.none())) {
      client.secrets().resource(Resources.credentials("t", ca.certificatePem())).create();
      for (int i = 1; i <= 3; i++) {
        cluster.put(Nodes.server("server-" + i, "127.0.0.1" + i).build());
      }
      client
          .resource(
              Resources.elb(
                  "k3s-api",
                  6443,
                  null,
                  List.of(
                      new ProxySpec("lb-1", lb1.endpoint(), 2),
                      new ProxySpec("lb-2", lb2.endpoint(), 1))))
          .create();
      cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");

      long[] micros = new long[TRIALS];
      for (int t = 0; t < TRIALS; t++) {
        String leaving = "server-" + (t % 3 + 1);
        String ip = "127.0.0.1" + (t % 3 + 1);
        long start = System.nanoTime();
        cluster.put(Nodes.server(leaving, ip).ready(false).build());
        await()
            .atMost(TestCluster.PATIENCE)
            .pollInterval(Duration.ofMillis(2))
            .until(() -> !serves(lb1, leaving) && !serves(lb2, leaving));
        micros[t] = (System.nanoTime() - start) / 1000;
        cluster.put(Nodes.server(leaving, ip).build());
        await()
            .atMost(TestCluster.PATIENCE)
            .until(() -> serves(lb1, leaving) && serves(lb2, leaving));
      }
      Arrays.sort(micros);
      String report =
          String.format(
              "Node NotReady -> both proxies applied, %d trials (mock API server, 2 real proxies, admin API over TLS):%n"
                  + "  p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
              TRIALS,
              micros[TRIALS / 2] / 1000.0,
              micros[(int) Math.ceil(TRIALS * 0.99) - 1] / 1000.0,
              micros[TRIALS - 1] / 1000.0);
      System.out.print(report);
      Path out = Path.of("target/bench/push-latency.txt");
      Files.createDirectories(out.getParent());
      Files.writeString(out, report);
      assertThat(micros[0]).isPositive();
    }
  }

  private static boolean serves(RealProxy proxy, String name) {
    return proxy.served(ID).contains(name);
  }
}
