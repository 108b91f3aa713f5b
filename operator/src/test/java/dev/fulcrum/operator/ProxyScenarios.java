package dev.fulcrum.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.operator.crd.BackendsSpec;
import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec;
import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec.BalanceSpec;
import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec.DeletionPolicy;
import dev.fulcrum.operator.crd.HealthCheckSpec;
import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.desired.BackendSelection;
import dev.fulcrum.operator.status.Conditions;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.RealProxy;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.operator.testing.TestCluster;
import dev.fulcrum.operator.testing.TlsServers;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.PingServer;
import dev.fulcrum.proxy.testing.Ports;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issue's scenarios end to end, on an API server a subclass provides (the Fabric8 mock, or a
 * real one): the operator, two real proxies (engine, data plane and health checks) on 127.0.0.1/.2,
 * and three real TLS servers on 127.0.0.11-13.
 */
abstract class ProxyScenarios {
  static final String VIP = "127.0.0.100";

  @TempDir Path dir;
  final Pki.Issued ca = TestPki.authority("fulcrum-test-ca");
  final List<EchoBackend> servers = new ArrayList<>();
  KubernetesClient client;
  String id;
  TestCluster cluster;
  RealProxy lb1;
  RealProxy lb2;
  int frontendPort;
  int serverPort;

  /** The API server's client; its namespace holds the test's resources. */
  abstract KubernetesClient client();

  abstract String namespace();

  /** A cluster helper for this API server. */
  abstract TestCluster newCluster();

  /** Starts the operator as it runs against this API server. */
  abstract void startOperator();

  /** Stops the operator and starts a new one, a new leader, with the proxies as they are. */
  abstract void restartOperator();

  @BeforeEach
  void start() throws Exception {
    client = client();
    id = namespace() + ".k3s-api";
    lb1 = new RealProxy("lb-1", "127.0.0.1", ca, "token", dir.resolve("lb-1"));
    lb2 = new RealProxy("lb-2", "127.0.0.2", ca, "token", dir.resolve("lb-2"));
    lb1.vipHeld(true);
    frontendPort = Ports.free("127.0.0.1");
    for (int i = 1; i <= 3; i++) {
      addServer(i, List.of("127.0.0.1" + i, VIP));
    }
    cluster = newCluster();
    startOperator();
    client
        .secrets()
        .resource(Resources.credentials(namespace(), "token", ca.certificatePem()))
        .createOr(r -> r.update());
  }

  @AfterEach
  void stop() {
    cluster.close();
    lb1.close();
    lb2.close();
    servers.forEach(EchoBackend::close);
  }

  void addServer(int i, List<String> sans) throws Exception {
    EchoBackend b = EchoBackend.startTls("server-" + i, "127.0.0.1" + i, serverPort, sans);
    serverPort = b.port();
    servers.add(b);
  }

  void createLoadBalancer() {
    createLoadBalancer(e -> e);
  }

  /** Creates the load balancer with a change to its spec, before any operator sees it. */
  void createLoadBalancer(UnaryOperator<ExternalLoadBalancer> change) {
    ExternalLoadBalancer elb =
        Resources.elb(
            namespace(),
            "k3s-api",
            frontendPort,
            VIP + "/8",
            List.of(
                new ProxySpec("lb-1", lb1.endpoint(), 200),
                new ProxySpec("lb-2", lb2.endpoint(), 100)));
    elb.getSpec().balance = BalanceSpec.RoundRobin;
    elb.getSpec().backends = new BackendsSpec();
    elb.getSpec().backends.port = serverPort;
    elb.getSpec().healthCheck = Resources.checkedEverySecond();
    client.resource(change.apply(elb)).create();
  }

  void putServers(int... ids) {
    for (int i : ids) {
      cluster.put(Nodes.server("server-" + i, "127.0.0.1" + i).build());
    }
  }

  /** Names greeting 12 connections through the proxy's frontend. */
  Set<String> reachedThrough(RealProxy proxy) throws Exception {
    Set<String> names = new TreeSet<>();
    for (int i = 0; i < 12; i++) {
      names.add(TlsServers.greeting(proxy.host(), frontendPort));
    }
    return names;
  }

  void awaitEverywhere(String... names) {
    await()
        .atMost(TestCluster.PATIENCE)
        .untilAsserted(
            () -> {
              assertThat(lb1.served(id)).containsExactly(names);
              assertThat(lb2.served(id)).containsExactly(names);
              assertThat(reachedThrough(lb1)).containsExactly(names);
              assertThat(reachedThrough(lb2)).containsExactly(names);
            });
  }

  @Test
  void readyAndTrafficThroughEitherProxyReachesAllThreeServers() {
    putServers(1, 2, 3);
    createLoadBalancer();
    cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
    awaitEverywhere("server-1", "server-2", "server-3");
    await()
        .atMost(TestCluster.PATIENCE)
        .untilAsserted(
            () -> assertThat(cluster.status("k3s-api").backendsSummary).isEqualTo("3/3"));
    assertThat(cluster.status("k3s-api").registrationAddress)
        .isEqualTo("https://" + VIP + ":" + frontendPort);
  }

  @Test
  void serversLeavingJoiningAndExcludedFollowTheNodes() throws Exception {
    putServers(1, 2, 3);
    createLoadBalancer();
    awaitEverywhere("server-1", "server-2", "server-3");
    cluster.put(Nodes.server("server-2", "127.0.0.12").ready(false).build());
    awaitEverywhere("server-1", "server-3");
    cluster.deleteNode("server-3");
    awaitEverywhere("server-1");
    addServer(4, List.of("127.0.0.14", VIP));
    putServers(2, 4);
    awaitEverywhere("server-1", "server-2", "server-4");
    cluster.put(
        Nodes.server("server-4", "127.0.0.14")
            .label(BackendSelection.EXCLUDE_LABEL, "true")
            .build());
    awaitEverywhere("server-1", "server-2");
  }

  @Test
  void oneProxyDownIsDegradedNamingItWhileTheOtherIsUpdatedThenResyncs() throws Exception {
    putServers(1, 2, 3);
    createLoadBalancer();
    cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
    lb2.stopAdmin();
    cluster.put(Nodes.server("server-3", "127.0.0.13").ready(false).build());
    assertThat(
            cluster
                .awaitCondition("k3s-api", Conditions.DEGRADED, "True", "ProxyUnreachable")
                .getMessage())
        .contains("lb-2 (" + lb2.endpoint() + ")")
        .doesNotContain("lb-1 (");
    await()
        .atMost(TestCluster.PATIENCE)
        .until(() -> lb1.served(id).equals(List.of("server-1", "server-2")));
    assertThat(lb2.served(id)).contains("server-3");
    lb2.startAdmin();
    cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
    awaitEverywhere("server-1", "server-2");
  }

  @Test
  void aRestartedOperatorRaisesEachProxysFenceWithOnePutAndChangesNothingServed() {
    putServers(1, 2, 3);
    createLoadBalancer();
    cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
    awaitEverywhere("server-1", "server-2", "server-3");
    String applied = lb1.status(id).appliedVersion();
    long puts1 = lb1.puts();
    long puts2 = lb2.puts();
    long fence = Math.max(lb1.fence(id), lb2.fence(id));
    restartOperator(); // a new leader
    // A spec change that leaves the pushed content alone proves the new operator reconciled.
    cluster.edit(
        "k3s-api",
        e -> {
          e.getSpec().deletionPolicy = DeletionPolicy.Clear;
          return e;
        });
    await()
        .atMost(TestCluster.PATIENCE)
        .until(() -> cluster.status("k3s-api").observedGeneration == 2L);
    cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
    // Its predecessor's late pushes must be refused everywhere, so it raises every fence even
    // though the versions match: one PUT per proxy, and none after.
    assertThat(lb1.puts()).as("PUTs to lb-1").isEqualTo(puts1 + 1);
    assertThat(lb2.puts()).as("PUTs to lb-2").isEqualTo(puts2 + 1);
    for (RealProxy p : List.of(lb1, lb2)) {
      assertThat(p.status(id).appliedVersion()).isEqualTo(applied);
      assertThat(p.fence(id)).isGreaterThan(fence);
    }
  }

  /**
   * A server that completes a request only for a client certificate it trusts: the health checks
   * present the one in the Secret the spec names, so it is Up; before that Secret exists, status
   * names it and nothing is pushed.
   */
  @Test
  void httpsChecksPresentTheClientCertificateFromTheSecretTheSpecNames() throws Exception {
    Pki.Issued checksCa = TestPki.authority("k3s-client-ca");
    try (PingServer strict =
        PingServer.requiringClientCertificate(
            "127.0.0.31", List.of("127.0.0.31", VIP), checksCa.certificate())) {
      cluster.put(Nodes.server("server-9", "127.0.0.31").build());
      createLoadBalancer(
          e -> {
            e.getSpec().backends.port = strict.port();
            e.getSpec().healthCheck.mode = HealthCheckSpec.Mode.HTTPS;
            e.getSpec().healthCheck.clientCertificateSecretRef =
                new ExternalLoadBalancerSpec.SecretRef(Resources.CHECK_CLIENT_SECRET);
            return e;
          });
      assertThat(
              cluster
                  .awaitCondition("k3s-api", Conditions.DEGRADED, "True", "CredentialsMissing")
                  .getMessage())
          .isEqualTo(
              "Secret k3s-check-client (spec.healthCheck.clientCertificateSecretRef) not found in"
                  + " namespace "
                  + namespace());
      assertThat(lb1.status(id)).as("nothing pushed").isNull();

      Pki.Issued cert = TestPki.issue(checksCa, "fulcrum-health-checks", List.of());
      client
          .secrets()
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName(Resources.CHECK_CLIENT_SECRET)
                  .withNamespace(namespace())
                  .endMetadata()
                  .withType("kubernetes.io/tls")
                  .addToStringData("tls.crt", cert.certificatePem())
                  .addToStringData("tls.key", cert.keyPem())
                  .build())
          .create();

      cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
      await()
          .atMost(TestCluster.PATIENCE)
          .untilAsserted(
              () ->
                  assertThat(cluster.status("k3s-api").backends)
                      .extracting(b -> b.name + ":" + b.health)
                      .containsExactly("server-9:Up"));
      assertThat(strict.pings()).as("the checks' requests were answered").isPositive();
    }
  }

  @Test
  void aServerCertificateWithoutTheVipIsCertificateMissingSanNamingIt() throws Exception {
    addServer(4, List.of("127.0.0.14"));
    putServers(1, 2, 3, 4);
    createLoadBalancer();
    assertThat(
            cluster
                .awaitCondition("k3s-api", Conditions.DEGRADED, "True", "CertificateMissingSAN")
                .getMessage())
        .contains("server server-4 (127.0.0.14)")
        .contains("\"tls-san: " + VIP + "\"")
        .doesNotContain("server-1 ");
    assertThat(cluster.status("k3s-api").backends)
        .filteredOn(b -> b.name.equals("server-4"))
        .singleElement()
        .satisfies(b -> assertThat(b.certificateCoversAddress).isFalse());
  }

  @Test
  void aProxyRemovedFromTheSpecStopsServingAndLeavesTheStatus() {
    putServers(1, 2, 3);
    createLoadBalancer();
    awaitEverywhere("server-1", "server-2", "server-3");

    cluster.edit("k3s-api", withoutProxy("lb-2"));

    await().atMost(TestCluster.PATIENCE).until(() -> lb2.status(id) == null);
    await()
        .atMost(TestCluster.PATIENCE)
        .untilAsserted(() -> assertThat(proxyNames()).as("status.proxies").containsExactly("lb-1"));
    cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
    cluster.awaitCondition("k3s-api", Conditions.DEGRADED, "False", "AsExpected");
    assertThat(lb1.served(id)).containsExactly("server-1", "server-2", "server-3");
    await()
        .atMost(TestCluster.PATIENCE)
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> new Socket(lb2.host(), frontendPort).close())
                    .as("lb-2's frontend is closed")
                    .isInstanceOf(ConnectException.class));
  }

  @Test
  void aProxyRemovedWhileUnreachableIsDegradedNamingItUntilItIsToldToStop() throws Exception {
    putServers(1, 2, 3);
    createLoadBalancer();
    awaitEverywhere("server-1", "server-2", "server-3");
    lb2.stopAdmin();

    cluster.edit("k3s-api", withoutProxy("lb-2"));

    Condition degraded =
        cluster.awaitCondition("k3s-api", Conditions.DEGRADED, "True", "OrphanedProxy");
    assertThat(degraded.getMessage())
        .contains("proxy lb-2 (" + lb2.endpoint() + ") left spec.proxies")
        .contains("VRRP");
    cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
    assertThat(cluster.status("k3s-api").proxies)
        .extracting(p -> p.name + "=" + p.state)
        .containsExactly("lb-1=Synced", "lb-2=Orphaned");
    assertThat(cluster.status("k3s-api").proxiesSummary).isEqualTo("1/1");

    lb2.startAdmin(); // the host is back: it is told to stop serving
    await().atMost(TestCluster.PATIENCE).until(() -> lb2.status(id) == null);
    await()
        .atMost(TestCluster.PATIENCE)
        .untilAsserted(() -> assertThat(proxyNames()).containsExactly("lb-1"));
    cluster.awaitCondition("k3s-api", Conditions.DEGRADED, "False", "AsExpected");
  }

  @Test
  void deletionWithTheSecretGoneAndAProxyDeadFinishesAtOnceWithAWarningNamingTheProxies() {
    putServers(1, 2, 3);
    createLoadBalancer(clear());
    awaitEverywhere("server-1", "server-2", "server-3");
    lb2.stopAdmin();
    client.secrets().inNamespace(namespace()).withName(Resources.SECRET).delete();
    cluster.awaitCondition("k3s-api", Conditions.READY, "False", "CredentialsMissing");

    loadBalancer().delete();

    await().atMost(TestCluster.PATIENCE).until(() -> loadBalancer().get() == null);
    assertThat(warning("CleanupSkipped"))
        .contains("Secret " + Resources.SECRET + " is gone")
        .contains("lb-1 (" + lb1.endpoint() + ")")
        .contains("lb-2 (" + lb2.endpoint() + ")");
  }

  @Test
  void deletionWithAProxyDeadFinishesAfterTheClearTimeoutWithAWarningNamingIt() {
    putServers(1, 2, 3);
    createLoadBalancer(clear());
    awaitEverywhere("server-1", "server-2", "server-3");
    lb2.stopAdmin();

    loadBalancer().delete();

    await().atMost(TestCluster.PATIENCE).until(() -> loadBalancer().get() == null);
    assertThat(lb1.status(id)).as("removed from the proxy that answers").isNull();
    assertThat(warning("CleanupTimedOut"))
        .contains("still not removed everywhere")
        .contains("lb-2")
        .doesNotContain("lb-1 (");
  }

  private static UnaryOperator<ExternalLoadBalancer> withoutProxy(String name) {
    return e -> {
      e.getSpec().proxies.removeIf(p -> p.name.equals(name));
      return e;
    };
  }

  private static UnaryOperator<ExternalLoadBalancer> clear() {
    return e -> {
      e.getSpec().deletionPolicy = DeletionPolicy.Clear;
      return e;
    };
  }

  /** The test's ExternalLoadBalancer on the API server. */
  Resource<ExternalLoadBalancer> loadBalancer() {
    return client
        .resources(ExternalLoadBalancer.class)
        .inNamespace(namespace())
        .withName("k3s-api");
  }

  private List<String> proxyNames() {
    return cluster.status("k3s-api").proxies.stream().map(p -> p.name).toList();
  }

  /** The message of the one Warning event with this reason in the test's namespace. */
  private String warning(String reason) {
    await()
        .atMost(TestCluster.PATIENCE)
        .until(
            () ->
                client.v1().events().inNamespace(namespace()).list().getItems().stream()
                    .anyMatch(e -> reason.equals(e.getReason())));
    return client.v1().events().inNamespace(namespace()).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()) && "Warning".equals(e.getType()))
        .map(io.fabric8.kubernetes.api.model.Event::getMessage)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void staticEndpointsBootstrapUntilNodesRegisterWhichKeepTheSessionsAndAreNotRevived()
      throws Exception {
    String s1 = "127.0.0.11:" + serverPort;
    String s2 = "127.0.0.12:" + serverPort;
    createLoadBalancer(
        e -> {
          e.getSpec().backends.staticEndpoints = List.of(s1, s2);
          return e;
        });
    await()
        .atMost(TestCluster.PATIENCE)
        .untilAsserted(() -> assertThat(lb1.served(id)).containsExactly(s1, s2));
    List<TlsServers.Session> sessions = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        sessions.add(TlsServers.session(lb1.host(), frontendPort)); // round robin: both servers
      }

      putServers(1, 2); // the K3s servers register as Nodes for the same addresses

      awaitEverywhere("server-1", "server-2");
      assertThat(lb1.status(id).backends())
          .as("the sessions are counted on the servers under their Node names, not drained")
          .extracting(b -> b.name() + "=" + b.activeConnections())
          .containsExactlyInAnyOrder("server-1=2", "server-2=2");
      for (TlsServers.Session s : sessions) {
        assertThat(s.echo("still open")).as("through %s", s.greeting()).isEqualTo("still open");
      }
    } finally {
      for (TlsServers.Session s : sessions) {
        s.close();
      }
    }

    cluster.deleteNode("server-2"); // decommissioned; its address is still listed as static
    awaitEverywhere("server-1");
    await()
        .during(java.time.Duration.ofSeconds(2))
        .atMost(TestCluster.PATIENCE)
        .untilAsserted(() -> assertThat(lb1.served(id)).containsExactly("server-1"));
  }

  @Test
  void aServerNodeWithoutTheConfiguredAddressTypeIsListedAsSkippedWithTheReason() {
    cluster.put(Nodes.server("server-1", "127.0.0.31").address("ExternalIP", "127.0.0.11").build());
    cluster.put(Nodes.server("server-2", "127.0.0.32").build()); // no --node-external-ip
    createLoadBalancer(
        e -> {
          e.getSpec().backends.addressType = BackendsSpec.AddressType.ExternalIP;
          return e;
        });

    await()
        .atMost(TestCluster.PATIENCE)
        .untilAsserted(
            () -> {
              assertThat(cluster.status("k3s-api")).as("status").isNotNull();
              assertThat(cluster.status("k3s-api").skippedNodes)
                  .extracting(n -> n.name + ": " + n.reason)
                  .containsExactly(
                      "server-2: no ExternalIP address (spec.backends.addressType); it has"
                          + " InternalIP; K3s sets one with --node-external-ip");
            });
    await()
        .atMost(TestCluster.PATIENCE)
        .untilAsserted(() -> assertThat(lb1.served(id)).containsExactly("server-1"));
  }

  /**
   * What a proxy sees reaches status through its change stream, not the 60 s safety-net poll: a
   * server going Down, a certificate without the address, and the proxy itself going away. Each
   * delay (proxy's view to status) is printed; the bound is generous for a loaded CI machine, the
   * figures are in bench/.
   */
  @Test
  void whatAProxySeesIsInStatusWithinSecondsWithoutWaitingForThePoll() throws Exception {
    putServers(1, 2, 3);
    createLoadBalancer();
    cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
    awaitEverywhere("server-1", "server-2", "server-3");

    servers.get(2).kill();
    long seen = awaitNanos(() -> "Down".equals(healthOnLb1("server-3")));
    long shown = awaitNanos(() -> "Down".equals(cluster.health("k3s-api", "server-3")));
    report("server Down", seen, shown);

    servers.get(0).close();
    servers.set(
        0, EchoBackend.startTls("server-1", "127.0.0.11", serverPort, List.of("127.0.0.11")));
    seen =
        awaitNanos(
            () ->
                lb1.status(id).backends().stream()
                    .anyMatch(
                        b ->
                            b.name().equals("server-1")
                                && b.tlsSans() != null
                                && !b.tlsSans().isEmpty()
                                && b.tlsSans().stream().noneMatch(n -> n.contains(VIP))));
    shown =
        awaitNanos(
            () ->
                "CertificateMissingSAN"
                    .equals(
                        Conditions.find(cluster.status("k3s-api").conditions, Conditions.DEGRADED)
                            .getReason()));
    report("certificate without the VIP", seen, shown);

    seen = System.nanoTime();
    lb2.stopAdmin();
    shown =
        awaitNanos(
            () -> {
              var ready = Conditions.find(cluster.status("k3s-api").conditions, Conditions.READY);
              return "ProxyUnreachable".equals(ready.getReason())
                  && ready.getMessage().contains("lb-2")
                  && ready.getMessage().contains("connection refused");
            });
    report("proxy gone", seen, shown);
  }

  private String healthOnLb1(String server) {
    return lb1.status(id).backends().stream()
        .filter(b -> b.name().equals(server))
        .map(b -> b.health().label())
        .findFirst()
        .orElse(null);
  }

  /** When {@code condition} first held, polled every 20 ms, within 10 s (the poll is 60 s). */
  private static long awaitNanos(java.util.concurrent.Callable<Boolean> condition) {
    await()
        .atMost(java.time.Duration.ofSeconds(10))
        .pollInterval(java.time.Duration.ofMillis(20))
        .until(condition);
    return System.nanoTime();
  }

  private void report(String change, long seenNanos, long shownNanos) {
    System.out.printf(
        "%s: %s in status %d ms after the proxy saw it%n",
        getClass().getSimpleName(), change, (shownNanos - seenNanos) / 1_000_000);
  }
}
