package dev.fulcrum.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec.DeletionPolicy;
import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.desired.BackendSelection;
import dev.fulcrum.operator.push.EpochSource;
import dev.fulcrum.operator.status.Conditions;
import dev.fulcrum.operator.testing.FakeAdminApi;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.operator.testing.TestCluster;
import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's informers and pushes through the mock API server to two admin APIs over TLS: Node
 * changes reach the proxies, the finalizer clears them, a rotated Secret is used.
 */
@EnableKubernetesMockClient(crud = true)
class ReconcilerPushMockIT {
  static final String ID = Resources.NAMESPACE + ".k3s-api";
  static KubernetesClient client;

  final Pki.Issued ca = TestPki.authority("test-ca");
  TestCluster cluster;
  FakeAdminApi lb1;
  FakeAdminApi lb2;

  @BeforeEach
  void start() throws Exception {
    lb1 = new FakeAdminApi("lb-1", "127.0.0.1", ca, "token-1");
    lb2 = new FakeAdminApi("lb-2", "127.0.0.2", ca, "token-1");
    cluster = new TestCluster(client).startOperator(EpochSource.none());
    client
        .secrets()
        .resource(Resources.credentials("token-1", ca.certificatePem()))
        .createOr(r -> r.update());
    for (int i = 1; i <= 3; i++) {
      cluster.put(Nodes.server("server-" + i, "127.0.0.1" + i).build());
    }
  }

  @AfterEach
  void stop() {
    cluster.close();
    lb1.close();
    lb2.close();
  }

  ExternalLoadBalancer create(DeletionPolicy policy) {
    ExternalLoadBalancer elb =
        Resources.elb(
            "k3s-api",
            6443,
            "127.0.0.100/24",
            List.of(
                new ProxySpec("lb-1", lb1.endpoint(), 200),
                new ProxySpec("lb-2", lb2.endpoint(), 100)));
    elb.getSpec().deletionPolicy = policy;
    return client.resource(elb).create();
  }

  static List<String> served(FakeAdminApi api) {
    LoadBalancerConfig c = api.applied(ID);
    return c == null ? List.of() : c.backends().stream().map(BackendConfig::name).toList();
  }

  void awaitServed(String... names) {
    await()
        .atMost(TestCluster.PATIENCE)
        .untilAsserted(
            () -> {
              assertThat(served(lb1)).containsExactly(names);
              assertThat(served(lb2)).containsExactly(names);
            });
  }

  @Test
  void nodeChangesReachBothProxies() {
    create(DeletionPolicy.Retain);
    cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
    awaitServed("server-1", "server-2", "server-3");

    cluster.put(Nodes.server("server-2", "127.0.0.12").ready(false).build());
    awaitServed("server-1", "server-3");
    await()
        .atMost(TestCluster.PATIENCE)
        .untilAsserted(
            () ->
                assertThat(client.v1().events().inNamespace(Resources.NAMESPACE).list().getItems())
                    .anySatisfy(
                        e -> {
                          assertThat(e.getReason()).isEqualTo("BackendRemoved");
                          assertThat(e.getMessage()).startsWith("server-2 (127.0.0.12:6443) left");
                          assertThat(e.getInvolvedObject().getName()).isEqualTo("k3s-api");
                        }));
    cluster.put(Nodes.server("server-4", "127.0.0.14").build());
    awaitServed("server-1", "server-3", "server-4");
    cluster.put(
        Nodes.server("server-3", "127.0.0.13")
            .label(BackendSelection.EXCLUDE_LABEL, "true")
            .build());
    awaitServed("server-1", "server-4");
    cluster.deleteNode("server-4");
    awaitServed("server-1");
    cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
  }

  @Test
  void heartbeatOnlyNodeUpdatesSendNoPut() {
    create(DeletionPolicy.Retain);
    cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
    int puts = lb1.puts();
    cluster.put(Nodes.server("server-1", "127.0.0.11").heartbeat("2026-01-01T00:05:00Z").build());
    cluster.put(
        Nodes.server("server-4", "127.0.0.14").build()); // a real change, after the heartbeat
    awaitServed("server-1", "server-2", "server-3", "server-4");
    assertThat(lb1.puts()).isEqualTo(puts + 1);
  }

  @Test
  void anUnchangedStatusIsNotWrittenAgainOnLaterReconciles() {
    cluster.stopOperator();
    cluster.startOperator(EpochSource.none(), java.time.Duration.ofSeconds(1)); // many reconciles
    create(DeletionPolicy.Retain);
    cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
    await()
        .atMost(TestCluster.PATIENCE)
        .until(() -> cluster.status("k3s-api").backendsSummary.equals("3/3"));
    String version = resourceVersion();
    double before = reconciliations();
    // This operator polls every second; wait for three more reconciles of an unchanged world.
    await().atMost(TestCluster.PATIENCE).until(() -> reconciliations() >= before + 3);
    assertThat(resourceVersion()).isEqualTo(version);
  }

  private String resourceVersion() {
    return client
        .resources(ExternalLoadBalancer.class)
        .inNamespace(Resources.NAMESPACE)
        .withName("k3s-api")
        .get()
        .getMetadata()
        .getResourceVersion();
  }

  private double reconciliations() {
    return cluster.registry().find("operator.sdk.reconciliations.success").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  @Test
  void deletionPolicyClearRemovesTheFrontendFromEveryProxy() {
    create(DeletionPolicy.Clear);
    awaitServed("server-1", "server-2", "server-3");
    client
        .resources(ExternalLoadBalancer.class)
        .inNamespace(Resources.NAMESPACE)
        .withName("k3s-api")
        .delete();
    await()
        .atMost(TestCluster.PATIENCE)
        .until(() -> lb1.applied(ID) == null && lb2.applied(ID) == null);
  }

  @Test
  void deletionPolicyRetainLeavesTheProxiesServing() {
    create(DeletionPolicy.Retain);
    awaitServed("server-1", "server-2", "server-3");
    client
        .resources(ExternalLoadBalancer.class)
        .inNamespace(Resources.NAMESPACE)
        .withName("k3s-api")
        .delete();
    await().atMost(TestCluster.PATIENCE).until(() -> cluster.status("k3s-api") == null);
    assertThat(served(lb1)).containsExactly("server-1", "server-2", "server-3");
  }

  @Test
  void aRotatedTokenInTheSecretIsUsedWithoutRestartingTheOperator() {
    create(DeletionPolicy.Retain);
    cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
    lb1.token("token-2");
    lb2.token("token-2");
    cluster.awaitCondition("k3s-api", Conditions.READY, "False", "ProxyUnreachable");
    client.secrets().resource(Resources.credentials("token-2", ca.certificatePem())).update();
    cluster.put(Nodes.server("server-2", "127.0.0.12").ready(false).build());
    awaitServed("server-1", "server-3");
    cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
  }
}
