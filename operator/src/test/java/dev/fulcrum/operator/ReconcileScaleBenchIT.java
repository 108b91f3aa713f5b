package dev.fulcrum.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.push.EpochSource;
import dev.fulcrum.operator.push.ProxyClient;
import dev.fulcrum.operator.reconcile.LoadBalancerSync;
import dev.fulcrum.operator.telemetry.OperatorMetrics;
import dev.fulcrum.operator.testing.FakeAdminApi;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Secret;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a timed assertion: reconcile time and heap with 1,000 Nodes (50 servers) and 100
 * load balancers pushing to two admin APIs over TLS. Figures go to stdout and target/bench/.
 */
class ReconcileScaleBenchIT {
  @Test
  void reportsReconcileTimeAndHeapFor1000NodesAnd100LoadBalancers() throws Exception {
    long heapBefore = usedHeap();
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      String ip = "127.1." + (i / 250) + "." + (i % 250 + 1);
      nodes.add(
          i < 50 ? Nodes.server("server-" + i, ip).build() : Nodes.agent("agent-" + i, ip).build());
    }
    long nodesHeap = usedHeap() - heapBefore;
    Pki.Issued ca = TestPki.authority("bench-ca");
    try (FakeAdminApi lb1 = new FakeAdminApi("lb-1", "127.0.0.1", ca, "t");
        FakeAdminApi lb2 = new FakeAdminApi("lb-2", "127.0.0.2", ca, "t")) {
      Secret secret = Resources.credentials("t", ca.certificatePem());
      LoadBalancerSync sync =
          new LoadBalancerSync(
              new ProxyClient(Duration.ofSeconds(2), Duration.ofSeconds(10)),
              new OperatorMetrics(new SimpleMeterRegistry()),
              EpochSource.none(),
              Duration.ofSeconds(1),
              Duration.ofSeconds(10),
              Clock.systemUTC());
      List<ExternalLoadBalancer> elbs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        ExternalLoadBalancer elb =
            Resources.elb(
                "lb-" + i,
                10000 + i,
                null,
                List.of(
                    new ProxySpec("lb-1", lb1.endpoint(), 2),
                    new ProxySpec("lb-2", lb2.endpoint(), 1)));
        elb.getMetadata().setGeneration(1L);
        elbs.add(elb);
      }
      long[] firstMs = round(sync, elbs, nodes, secret);
      long[] steadyMs = round(sync, elbs, nodes, secret);
      long heapAfter = usedHeap() - heapBefore;
      for (ExternalLoadBalancer elb : elbs) {
        assertThat(elb.getStatus().backends).hasSize(50);
        assertThat(elb.getStatus().proxiesSummary).isEqualTo("2/2");
      }
      String report =
          String.format(
              "reconcile of 100 load balancers over 1,000 Nodes (50 servers), 2 proxies:%n"
                  + "  first round (PUT to both proxies): total %d ms, per resource p50 %d ms, p99 %d ms%n"
                  + "  steady round (GETs only, no PUT):  total %d ms, per resource p50 %d ms, p99 %d ms%n"
                  + "  heap: 1,000 Nodes %.1f MiB; Nodes + 100 statuses + clients %.1f MiB%n",
              firstMs[0],
              firstMs[1],
              firstMs[2],
              steadyMs[0],
              steadyMs[1],
              steadyMs[2],
              nodesHeap / 1048576.0,
              heapAfter / 1048576.0);
      System.out.print(report);
      Path out = Path.of("target/bench/reconcile-scale.txt");
      Files.createDirectories(out.getParent());
      Files.writeString(out, report);
      assertThat(lb1.puts()).as("the steady round sends no PUT").isEqualTo(100);
    }
  }

  private static long[] round(
      LoadBalancerSync sync, List<ExternalLoadBalancer> elbs, List<Node> nodes, Secret secret) {
    long[] each = new long[elbs.size()];
    long start = System.nanoTime();
    for (int i = 0; i < elbs.size(); i++) {
      long t = System.nanoTime();
      ExternalLoadBalancerStatus s = sync.sync(elbs.get(i), nodes, secret).status();
      elbs.get(i).setStatus(s);
      each[i] = (System.nanoTime() - t) / 1_000_000;
    }
    long total = (System.nanoTime() - start) / 1_000_000;
    Arrays.sort(each);
    return new long[] {total, each[each.length / 2], each[(int) Math.ceil(each.length * 0.99) - 1]};
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    System.gc();
    return r.totalMemory() - r.freeMemory();
  }
}
