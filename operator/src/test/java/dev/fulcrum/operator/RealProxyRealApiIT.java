package dev.fulcrum.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.operator.crd.BackendsSpec;
import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.push.ProxyClient;
import dev.fulcrum.operator.reconcile.LoadBalancerSync;
import dev.fulcrum.operator.status.Conditions;
import dev.fulcrum.operator.telemetry.OperatorMetrics;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.RealApiServer;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.operator.testing.TestCluster;
import dev.fulcrum.operator.testing.TlsServers;
import dev.fulcrum.proxy.testing.Ports;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The scenarios on the real API server named by {@code FULCRUM_IT_KUBECONFIG}, with the operator as
 * deployed: server-side apply and leader election on; the epoch is the leader's {@link
 * LeaderEpoch}.
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

  @Test
  void aLeaseDeletedWhileTheOperatorLeadsLocksNothingOut() {
    putServers(1, 2, 3);
    createLoadBalancer();
    awaitEverywhere("server-1", "server-2", "server-3");

    cluster.deleteLease(); // a namespace re-created, a restore: the Lease starts over

    cluster.put(Nodes.server("server-2", "127.0.0.12").ready(false).build());
    awaitEverywhere("server-1", "server-3");
    cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
  }

  @Test
  void aPausedOldLeadersPushAfterATakeoverIsRefused() {
    putServers(1, 2, 3);
    createLoadBalancer();
    awaitEverywhere("server-1", "server-2", "server-3");
    long oldEpoch = lb1.fence(id);
    restartOperator(); // the old leader "pauses"; another takes the Lease and pushes
    await()
        .atMost(TestCluster.PATIENCE)
        .until(() -> lb1.fence(id) > oldEpoch && lb2.fence(id) > oldEpoch);

    // It wakes with its old token and an old view: server-3 gone. It checks the real Lease, finds
    // another holder, and raises nothing.
    LoadBalancerSync paused =
        new LoadBalancerSync(
            new ProxyClient(Duration.ofSeconds(3), Duration.ofSeconds(5)),
            new OperatorMetrics(new SimpleMeterRegistry()),
            LeaderEpoch.leased(
                client,
                namespace(),
                TestCluster.LEASE,
                "paused-old-leader",
                Clock.fixed(Instant.ofEpochMilli(oldEpoch), ZoneOffset.UTC)),
            Duration.ZERO,
            Duration.ofSeconds(10),
            Clock.systemUTC());
    ExternalLoadBalancer elb = loadBalancer().get();
    Secret secret = client.secrets().inNamespace(namespace()).withName(Resources.SECRET).get();
    List<Node> oldView =
        client.nodes().withLabel(TestCluster.RUN_LABEL, namespace()).list().getItems().stream()
            .filter(n -> !n.getMetadata().getName().equals("server-3"))
            .toList();

    LoadBalancerSync.Outcome late = paused.sync(elb, oldView, secret);

    assertThat(Conditions.find(late.status().conditions, Conditions.DEGRADED).getReason())
        .isEqualTo("PushRefused");
    assertThat(Conditions.find(late.status().conditions, Conditions.READY).getStatus())
        .as("the proxies serve the new leader's set")
        .isEqualTo("True");
    assertThat(lb1.served(id)).containsExactly("server-1", "server-2", "server-3");
    assertThat(lb2.served(id)).containsExactly("server-1", "server-2", "server-3");
  }

  @Test
  void twoInstallsInTwoNamespacesShareOneProxyWithoutFencingEachOther() throws Exception {
    putServers(1, 2, 3);
    createLoadBalancer();
    awaitEverywhere("server-1", "server-2", "server-3");

    String otherNamespace = namespace() + "-b";
    try (TestCluster other = new TestCluster(client, true, otherNamespace)) {
      other.startLeaderElectedOperator();
      client
          .secrets()
          .resource(Resources.credentials(otherNamespace, "token", ca.certificatePem()))
          .createOr(r -> r.update());
      other.put(Nodes.server("b-server-1", "127.0.0.11").build());
      int otherPort = Ports.free("127.0.0.1");
      ExternalLoadBalancer b =
          Resources.elb(
              otherNamespace,
              "k3s-api",
              otherPort,
              null,
              List.of(new ProxySpec("lb-1", lb1.endpoint(), 100)));
      b.getSpec().backends = new BackendsSpec();
      b.getSpec().backends.port = serverPort;
      client.resource(b).create();

      other.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
      cluster.put(Nodes.server("server-2", "127.0.0.12").ready(false).build());
      awaitEverywhere("server-1", "server-3");
      cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
      other.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
      assertThat(lb1.served(otherNamespace + ".k3s-api")).containsExactly("b-server-1");
    } finally {
      client.secrets().inNamespace(otherNamespace).delete();
      client.namespaces().withName(otherNamespace).delete();
    }
  }

  @Test
  void aLoadBalancerNamingASecretTheOperatorMayNotReadSaysSo() {
    putServers(1, 2, 3);
    client
        .secrets()
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder(
                    Resources.credentials(namespace(), "token", ca.certificatePem()))
                .editMetadata()
                .withName("other-credentials")
                .endMetadata()
                .build())
        .create();
    createLoadBalancer(
        e -> {
          e.getSpec().credentialsSecretRef.name = "other-credentials";
          return e;
        });

    Condition ready =
        cluster.awaitCondition("k3s-api", Conditions.READY, "False", "CredentialsMissing");

    assertThat(ready.getMessage())
        .contains(
            "Secret other-credentials (spec.credentialsSecretRef) is not one this operator may read")
        .contains(Resources.SECRET);
    assertThat(lb1.status(id)).isNull();
  }

  @Test
  void statusIsNotRewrittenWhileTrafficFlowsAndNothingChanges() throws Exception {
    // A safety-net check every second, so the window below holds ~20 reconciles that each read
    // the proxies' moving counters (the shipped 60 s would leave it with none).
    cluster.stopOperator();
    cluster.deleteLease();
    cluster.startLeaderElectedOperator(Duration.ofSeconds(1));
    putServers(1, 2, 3);
    createLoadBalancer();
    awaitEverywhere("server-1", "server-2", "server-3");
    cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
    java.util.function.Supplier<String> resourceVersion =
        () -> loadBalancer().get().getMetadata().getResourceVersion();
    String before = resourceVersion.get();
    long getsBefore = lb1.adminRequests("GET");
    java.util.concurrent.atomic.AtomicInteger connections =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean flowing =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    List<TlsServers.Session> held = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread traffic =
        new Thread(
            () -> {
              while (flowing.get()) {
                try {
                  // connections come and go, some stay: the counters move on every poll
                  TlsServers.Session s = TlsServers.session(lb1.host(), frontendPort);
                  if (connections.incrementAndGet() % 3 == 0) {
                    held.add(s);
                  } else {
                    s.close();
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }
            });
    traffic.start();
    try {
      await()
          .during(Duration.ofSeconds(20))
          .atMost(Duration.ofSeconds(25))
          .until(() -> resourceVersion.get().equals(before));
    } finally {
      flowing.set(false);
      traffic.join();
      for (TlsServers.Session s : held) {
        s.close();
      }
    }
    assertThat(connections.get()).as("connections opened meanwhile").isGreaterThan(100);
    assertThat(lb1.adminRequests("GET") - getsBefore)
        .as("the operator read lb-1 on each of its checks meanwhile")
        .isGreaterThanOrEqualTo(20);
  }
}
