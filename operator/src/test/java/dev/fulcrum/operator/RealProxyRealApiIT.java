package dev.fulcrum.operator;

import dev.fulcrum.operator.testing.RealApiServer;
import dev.fulcrum.operator.testing.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The scenarios on the real API server named by {@code FULCRUM_IT_KUBECONFIG}, with the operator as
 * deployed: server-side apply and leader election on; the epoch is the Lease's transitions.
 */
@EnabledIfEnvironmentVariable(
    named = RealApiServer.ENV,
    matches = ".*\\S.*",
    disabledReason = RealApiServer.SKIPPED)
class RealProxyRealApiIT extends ProxyScenarios {
  static RealApiServer api;

  @BeforeAll
  static void connect() {
    api = RealApiServer.connect("fulcrum-it-scenarios");
  }

  @AfterAll
  static void disconnect() {
    if (api != null) {
      api.close();
    }
  }

  @Override
  KubernetesClient client() {
    return api.client();
  }

  @Override
  String namespace() {
    return api.namespace();
  }

  @Override
  TestCluster newCluster() {
    return new TestCluster(api.client(), true, api.namespace());
  }

  @Override
  void startOperator() {
    cluster.startLeaderElectedOperator();
  }

  @Override
  void restartOperator() {
    cluster.stopOperator();
    cluster.deleteLease();
    cluster.startLeaderElectedOperator();
  }

  /**
   * Leader election counts takeovers in the Lease; the test moves that count as takeovers would.
   */
  @Override
  void epoch(long value) {
    cluster.leaseTransitions(value);
  }
}
