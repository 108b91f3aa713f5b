package dev.fulcrum.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.operator.OperatorMain;
import dev.fulcrum.operator.OperatorSettings;
import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import dev.fulcrum.operator.push.EpochSource;
import dev.fulcrum.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * An operator running against an API server (the Fabric8 mock, or realapi), and the steps ITs take
 * on it.
 */
public final class TestCluster implements AutoCloseable {
  public static final Duration PATIENCE = Duration.ofSeconds(30);

  /**
   * On a real API server every Node a test puts carries this label (value: the test's namespace),
   * and the operator watches only such Nodes, so a shared cluster's own Nodes are never backends.
   */
  public static final String LEASE = "fulcrum-operator";

  public static final String RUN_LABEL = "it.fulcrum.dev/run";

  /** How long a deletion waits for a proxy that does not answer, in tests. */
  public static final Duration CLEAR_TIMEOUT = Duration.ofSeconds(3);

  private final KubernetesClient client;
  private final boolean realApiServer;
  private final String namespace;
  private final Set<String> nodesPut = new LinkedHashSet<>();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private Operator operator;

  public TestCluster(KubernetesClient client) {
    this(client, false);
  }

  /**
   * @param realApiServer the client talks to a real API server: status is patched with server-side
   *     apply, which the mock server refuses
   */
  public TestCluster(KubernetesClient client, boolean realApiServer) {
    this(client, realApiServer, Resources.NAMESPACE);
  }

  /** As above, with the ExternalLoadBalancers, Secret and Lease in {@code namespace}. */
  public TestCluster(KubernetesClient client, boolean realApiServer, String namespace) {
    this.client = client;
    this.realApiServer = realApiServer;
    this.namespace = namespace;
    Resources.registerCrd(client);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .createOr(r -> r.update());
  }

  public String namespace() {
    return namespace;
  }

  /**
   * Starts (or restarts) the operator with the shipped safety-net poll, so what status shows comes
   * from the proxies' change streams as in production.
   */
  public TestCluster startOperator(EpochSource epoch) {
    return startOperator(epoch, OperatorSettings.DEFAULT_POLL);
  }

  /** As above with another safety-net poll, for a test that needs reconciles of an idle world. */
  public TestCluster startOperator(EpochSource epoch, Duration poll) {
    operator =
        OperatorMain.start(client, settings(false, poll), registry, epoch, realApiServer, false);
    return this;
  }

  /** Starts an operator that must win the Lease first; its pushes carry its {@code LeaderEpoch}. */
  public TestCluster startLeaderElectedOperator() {
    return startLeaderElectedOperator(OperatorSettings.DEFAULT_POLL);
  }

  /** As above with another safety-net poll, for a test that needs reconciles of an idle world. */
  public TestCluster startLeaderElectedOperator(Duration poll) {
    operator =
        OperatorMain.start(client, settings(true, poll), registry, null, realApiServer, false);
    return this;
  }

  private OperatorSettings settings(boolean leaderElection, Duration poll) {
    // On a real (maybe shared) API server the operator sees only this test's namespace and Nodes.
    return new OperatorSettings(
        realApiServer ? Set.of(namespace) : Set.of(),
        0,
        leaderElection,
        LEASE,
        namespace,
        realApiServer ? RUN_LABEL + "=" + namespace : "",
        poll,
        Duration.ofMillis(300),
        CLEAR_TIMEOUT,
        // As the chart installs it on a real API server: only the named Secrets (the credentials
        // and
        // the health checks' client certificate), each watched by name.
        realApiServer ? Set.of(Resources.SECRET, Resources.CHECK_CLIENT_SECRET) : Set.of());
  }

  public void stopOperator() {
    if (operator != null) {
      operator.stop();
      operator = null;
    }
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public void put(Node node) {
    if (realApiServer) {
      node.getMetadata().getLabels().put(RUN_LABEL, namespace);
    }
    nodesPut.add(node.getMetadata().getName());
    client.nodes().resource(node).createOr(r -> r.update());
    if (realApiServer) {
      // A real API server keeps a Node's status only through the status subresource.
      client
          .nodes()
          .withName(node.getMetadata().getName())
          .editStatus(
              n -> {
                n.setStatus(node.getStatus());
                return n;
              });
    }
  }

  public void deleteNode(String name) {
    client.nodes().withName(name).delete();
  }

  /**
   * Edits the spec as kubectl edit would; a conflict with the operator's status write in between
   * (the edit carries the resourceVersion it read) is retried with a fresh read.
   */
  public void edit(String name, UnaryOperator<ExternalLoadBalancer> change) {
    await()
        .atMost(PATIENCE)
        .ignoreExceptionsMatching(
            e -> e instanceof KubernetesClientException k && k.getCode() == 409)
        .until(
            () -> {
              client
                  .resources(ExternalLoadBalancer.class)
                  .inNamespace(namespace)
                  .withName(name)
                  .edit(change);
              return true;
            });
  }

  public ExternalLoadBalancerStatus status(String name) {
    ExternalLoadBalancer elb =
        client.resources(ExternalLoadBalancer.class).inNamespace(namespace).withName(name).get();
    return elb == null ? null : elb.getStatus();
  }

  /** Waits for a condition with this status and reason, and returns it. */
  /** A server's health as the resource's status shows it; null before it lists the server. */
  public String health(String name, String server) {
    ExternalLoadBalancerStatus s = status(name);
    return s == null
        ? null
        : s.backends.stream()
            .filter(b -> b.name.equals(server))
            .map(b -> b.health)
            .findFirst()
            .orElse(null);
  }

  public Condition awaitCondition(String name, String type, String status, String reason) {
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              ExternalLoadBalancerStatus s = status(name);
              assertThat(s).as("status of %s", name).isNotNull();
              Condition c = Conditions.find(s.conditions, type);
              assertThat(c).as("%s condition", type).isNotNull();
              assertThat(c.getStatus() + "/" + c.getReason())
                  .as(c.getMessage())
                  .isEqualTo(status + "/" + reason);
            });
    return Conditions.find(status(name).conditions, type);
  }

  /** JOSDK keeps the Lease when it stops; a new operator would wait for it to expire. */
  public void deleteLease() {
    client.leases().inNamespace(namespace).withName(LEASE).delete();
  }

  @Override
  public void close() {
    // Deleted while the operator runs, so its finalizer is released and the next test starts clean.
    FilterWatchListDeletable<
            ExternalLoadBalancer,
            KubernetesResourceList<ExternalLoadBalancer>,
            Resource<ExternalLoadBalancer>>
        elbs =
            realApiServer
                ? client.resources(ExternalLoadBalancer.class).inNamespace(namespace)
                : client.resources(ExternalLoadBalancer.class).inAnyNamespace();
    elbs.delete();
    await().atMost(PATIENCE).until(() -> elbs.list().getItems().isEmpty());
    stopOperator();
    if (realApiServer) {
      // Only what this test made: the cluster may be shared, and have real Nodes.
      nodesPut.forEach(n -> client.nodes().withName(n).delete());
      deleteLease();
    } else {
      client.nodes().delete();
    }
  }
}
