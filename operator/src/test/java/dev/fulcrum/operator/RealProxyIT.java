package dev.fulcrum.operator;

import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.operator.testing.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.concurrent.atomic.AtomicLong;

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

  @Override
  void epoch(long value) {
    epoch.set(value);
  }
}
