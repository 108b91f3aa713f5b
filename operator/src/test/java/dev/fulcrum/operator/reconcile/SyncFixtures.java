package dev.fulcrum.operator.reconcile;

import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.push.EpochSource;
import dev.fulcrum.operator.push.ProxyClient;
import dev.fulcrum.operator.telemetry.OperatorMetrics;
import dev.fulcrum.operator.testing.FakeAdminApi;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.Resources;
import io.fabric8.kubernetes.api.model.Node;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * What the reconcile tests share: two server Nodes, a resource on two fake proxies, and an operator
 * for it.
 */
final class SyncFixtures {
  static final String TOKEN = "s3cret-token";

  /** Two ready K3s server Nodes. */
  static final List<Node> TWO_SERVERS =
      List.of(
          Nodes.server("server-1", "127.0.0.11").build(),
          Nodes.server("server-2", "127.0.0.12").build());

  private SyncFixtures() {}

  /** k3s-api on 6443 and {@code virtualIP}, served by lb-1 (priority 200) and lb-2 (100). */
  static ExternalLoadBalancer onTwoProxies(String virtualIP, FakeAdminApi lb1, FakeAdminApi lb2) {
    ExternalLoadBalancer elb =
        Resources.elb(
            "k3s-api",
            6443,
            virtualIP,
            List.of(
                new ProxySpec("lb-1", lb1.endpoint(), 200),
                new ProxySpec("lb-2", lb2.endpoint(), 100)));
    elb.getMetadata().setGeneration(1L);
    return elb;
  }

  /** An operator with this epoch and join debounce, a 10 s poll and the real clock. */
  static LoadBalancerSync operator(EpochSource epoch, Duration joinDebounce) {
    return new LoadBalancerSync(
        new ProxyClient(Duration.ofSeconds(2), Duration.ofSeconds(5)),
        new OperatorMetrics(new SimpleMeterRegistry()),
        epoch,
        joinDebounce,
        Duration.ofSeconds(10),
        Clock.systemUTC());
  }
}
