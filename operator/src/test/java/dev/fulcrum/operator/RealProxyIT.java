package dev.fulcrum.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.operator.status.Conditions;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.operator.testing.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The scenarios on the Fabric8 mock API server: status by JSON patch (the mock refuses server-side
 * apply), no leader election, and an epoch the test sets.
 */
@EnableKubernetesMockClient(crud = true)
class RealProxyIT extends ProxyScenarios {
  static KubernetesClient mock;

  private final AtomicLong epoch = new AtomicLong();

  @Override
  KubernetesClient client() {
    return mock;
  }

  @Override
  String namespace() {
    return Resources.NAMESPACE;
  }

  @Override
  TestCluster newCluster() {
    return new TestCluster(mock);
  }

  @Override
  void startOperator() {
    cluster.startOperator(epoch::get);
  }

  @Override
  void restartOperator() {
    cluster.stopOperator();
    // The new operator is a new leader: any PUT from it would carry epoch 1 and be applied as such.
    epoch.set(1);
    cluster.startOperator(epoch::get);
  }

  /** From now on the operator stamps this epoch on its pushes (it never raises it). */
  void epoch(long value) {
    epoch.set(value);
  }

  @Test
  void aPushFromALowerEpochIsRefusedAndTheNewLeadersPushWins() {
    epoch(5);
    putServers(1, 2, 3);
    createLoadBalancer();
    awaitEverywhere("server-1", "server-2", "server-3");
    epoch(4); // a deposed leader
    cluster.put(Nodes.server("server-1", "127.0.0.11").ready(false).build());
    assertThat(
            cluster
                .awaitCondition("k3s-api", Conditions.DEGRADED, "True", "PushRefused")
                .getMessage())
        .contains("withheld: it fences this load balancer at epoch 5, above this operator's 4");
    assertThat(lb1.served(id)).contains("server-1");
    // The new leader: a new operator process, whose first reconcile pushes with its epoch.
    cluster.stopOperator();
    epoch(6);
    cluster.startOperator(epoch::get);
    awaitEverywhere("server-2", "server-3");
    assertThat(lb1.fence(id)).isEqualTo(6);
  }
}
