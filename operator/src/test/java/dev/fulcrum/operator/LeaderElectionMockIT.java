package dev.fulcrum.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.status.Conditions;
import dev.fulcrum.operator.testing.FakeAdminApi;
import dev.fulcrum.operator.testing.MockLeases;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.operator.testing.TestCluster;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The operator reconciles only as the Lease holder, and stamps its pushes with its leader epoch.
 */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionMockIT {
  static KubernetesClient client;
  static KubernetesMockServer server;

  @Test
  void theLeaderPushesWithTheTimeItBeganToLeadAsEpochWhateverTheLeaseSays() throws Exception {
    Pki.Issued ca = TestPki.authority("test-ca");
    try (FakeAdminApi lb1 = new FakeAdminApi("lb-1", "127.0.0.1", ca, "t");
        TestCluster cluster = new TestCluster(client)) {
      client.secrets().resource(Resources.credentials("t", ca.certificatePem())).create();
      cluster.put(Nodes.server("server-1", "127.0.0.11").build());
      MockLeases.grant(server);
      // A previous leader handed over twice already; the Lease's count plays no part.
      client.resource(lease("fulcrum-operator", 2)).create();
      long before = System.currentTimeMillis();
      cluster.startLeaderElectedOperator();
      client
          .resource(
              Resources.elb(
                  "k3s-api", 6443, null, List.of(new ProxySpec("lb-1", lb1.endpoint(), 1))))
          .create();

      cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
      await().until(() -> lb1.applied(Resources.NAMESPACE + ".k3s-api") != null);
      assertThat(lb1.applied(Resources.NAMESPACE + ".k3s-api").epoch())
          .as("the leader's epoch: when it began to lead")
          .isBetween(before, System.currentTimeMillis());
    }
  }

  private static Lease lease(String name, int transitions) {
    Lease l = new Lease();
    l.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(name)
            .withNamespace(Resources.NAMESPACE)
            .build());
    l.setSpec(
        new io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpecBuilder()
            .withHolderIdentity("old-leader")
            .withLeaseDurationSeconds(1)
            .withLeaseTransitions(transitions)
            .withAcquireTime(java.time.ZonedDateTime.parse("2026-01-01T00:00:00Z"))
            .withRenewTime(java.time.ZonedDateTime.parse("2026-01-01T00:00:00Z"))
            .build());
    return l;
  }
}
