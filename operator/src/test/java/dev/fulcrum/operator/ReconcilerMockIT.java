package dev.fulcrum.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.push.EpochSource;
import dev.fulcrum.operator.status.Conditions;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reconciler against the Fabric8 mock API server, with proxies that are not there. */
@EnableKubernetesMockClient(crud = true)
class ReconcilerMockIT {
  static KubernetesClient client;

  private Operator operator;
  private int deadPort;

  @BeforeEach
  void start() throws IOException {
    Resources.registerCrd(client);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(Resources.NAMESPACE)
                .endMetadata()
                .build())
        .createOr(r -> r.update());
    Pki.Issued ca = TestPki.authority("fulcrum-test-ca");
    client
        .secrets()
        .resource(Resources.credentials("test-token", ca.certificatePem()))
        .createOr(r -> r.update());
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      deadPort = s.getLocalPort(); // closed again: connections to it are refused
    }
    OperatorSettings settings =
        new OperatorSettings(
            Set.of(),
            0,
            false,
            "fulcrum",
            Resources.NAMESPACE,
            "",
            Duration.ofSeconds(1),
            Duration.ofMillis(200));
    operator =
        OperatorMain.start(
            client,
            settings,
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            EpochSource.none(),
            false,
            false);
  }

  @AfterEach
  void stop() {
    // Deleted while the operator runs, so its finalizer is released before the next test.
    client.resources(ExternalLoadBalancer.class).inAnyNamespace().delete();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                client
                    .resources(ExternalLoadBalancer.class)
                    .inAnyNamespace()
                    .list()
                    .getItems()
                    .isEmpty());
    operator.stop();
    client.nodes().delete();
  }

  private List<ProxySpec> deadProxies() {
    return List.of(
        new ProxySpec("lb-1", "https://127.0.0.1:" + deadPort, 200),
        new ProxySpec("lb-2", "https://127.0.0.2:" + deadPort, 100));
  }

  private void createServers(Node... nodes) {
    for (Node n : nodes) {
      client.nodes().resource(n).create();
    }
  }

  private ExternalLoadBalancerStatus statusOf(String name) {
    ExternalLoadBalancer elb =
        client
            .resources(ExternalLoadBalancer.class)
            .inNamespace(Resources.NAMESPACE)
            .withName(name)
            .get();
    return elb == null ? null : elb.getStatus();
  }

  private Condition awaitCondition(String name, String type, String status, String reason) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              ExternalLoadBalancerStatus s = statusOf(name);
              assertThat(s).isNotNull();
              Condition c = Conditions.find(s.conditions, type);
              assertThat(c).isNotNull();
              assertThat(c.getStatus() + "/" + c.getReason()).isEqualTo(status + "/" + reason);
            });
    return Conditions.find(statusOf(name).conditions, type);
  }

  @Test
  void unreachableProxiesGiveReadyFalseProxyUnreachableNamingThemWhileBackendsComeFromNodes() {
    createServers(
        Nodes.server("server-1", "127.0.0.51").build(),
        Nodes.server("server-2", "127.0.0.52").build(),
        Nodes.server("server-3", "127.0.0.53").build(),
        Nodes.agent("agent-1", "127.0.0.60").build());
    client.resource(Resources.elb("k3s-api", 6443, "127.0.0.100/24", deadProxies())).create();

    Condition ready = awaitCondition("k3s-api", Conditions.READY, "False", "ProxyUnreachable");
    assertThat(ready.getMessage()).contains("lb-1 (https://127.0.0.1:" + deadPort + ")");
    Condition degraded = awaitCondition("k3s-api", Conditions.DEGRADED, "True", "ProxyUnreachable");
    assertThat(degraded.getMessage())
        .contains("lb-1")
        .contains("lb-2")
        .doesNotContain("test-token");
    ExternalLoadBalancerStatus s = statusOf("k3s-api");
    assertThat(s.backends)
        .extracting(b -> b.name)
        .containsExactly("server-1", "server-2", "server-3");
    assertThat(s.desiredVersion).startsWith("sha256:");
    assertThat(s.registrationAddress).isEqualTo("https://127.0.0.100:6443");
    assertThat(s.proxiesSummary).isEqualTo("0/2");
    assertThat(s.proxies).extracting(p -> p.state).containsOnly("Unreachable");
    assertThat(ready.getObservedGeneration()).isEqualTo(1L);
  }

  @Test
  void invalidSpecGivesInvalidSpecNamingTheField() {
    ExternalLoadBalancer elb = Resources.elb("bad", 70000, null, deadProxies());
    client.resource(elb).create();
    Condition ready = awaitCondition("bad", Conditions.READY, "False", "InvalidSpec");
    assertThat(ready.getMessage()).contains("spec.frontend.port").contains("70000");

    ExternalLoadBalancer dup =
        Resources.elb(
            "dup",
            6443,
            null,
            List.of(
                new ProxySpec("lb-1", "https://127.0.0.1:1", 1),
                new ProxySpec("lb-1", "https://127.0.0.2:1", 1)));
    client.resource(dup).create();
    assertThat(awaitCondition("dup", Conditions.READY, "False", "InvalidSpec").getMessage())
        .contains("spec.proxies[1].name");
  }

  @Test
  void noReadyServerKeepsTheLastKnownBackendsAndSaysSo() {
    createServers(
        Nodes.server("server-1", "127.0.0.51").ready(false).build(),
        Nodes.agent("agent-1", "127.0.0.60").build());
    client.resource(Resources.elb("k3s-api", 6443, "127.0.0.100/24", deadProxies())).create();
    Condition degraded =
        awaitCondition("k3s-api", Conditions.DEGRADED, "True", "KeepingLastKnownBackends");
    assertThat(degraded.getMessage()).contains("0 ready backends");
    assertThat(statusOf("k3s-api").backends)
        .singleElement()
        .satisfies(b -> assertThat(b.nodeReady).isFalse());
  }
}
