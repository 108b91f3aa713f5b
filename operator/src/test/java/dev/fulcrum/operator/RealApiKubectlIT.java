package dev.fulcrum.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.operator.crd.BackendsSpec;
import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec.BalanceSpec;
import dev.fulcrum.operator.crd.HealthCheckSpec;
import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.status.Conditions;
import dev.fulcrum.operator.testing.Kubectl;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.RealApiServer;
import dev.fulcrum.operator.testing.RealProxy;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.operator.testing.TestCluster;
import dev.fulcrum.operator.testing.TlsServers;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.Ports;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees with kubectl on a real API server: the operator (server-side apply, leader
 * election) keeps two real proxies serving real TLS servers, and kubectl wait, get, get -w and
 * describe show it.
 */
@EnabledIfEnvironmentVariable(
    named = RealApiServer.ENV,
    matches = ".*\\S.*",
    disabledReason = RealApiServer.SKIPPED)
class RealApiKubectlIT {
  static final String VIP = "127.0.0.100";
  static RealApiServer api;

  @TempDir Path dir;
  final Pki.Issued ca = TestPki.authority("fulcrum-test-ca");
  final List<EchoBackend> servers = new ArrayList<>();
  final List<RealProxy> proxies = new ArrayList<>();
  TestCluster cluster;
  Kubectl kubectl;
  int frontendPort;

  @BeforeAll
  static void connect() {
    api = RealApiServer.connect("fulcrum-it-kubectl");
  }

  @AfterAll
  static void disconnect() {
    if (api != null) {
      api.close();
    }
  }

  @BeforeEach
  void start() {
    cluster = new TestCluster(api.client(), true, api.namespace());
    kubectl = api.kubectl();
  }

  @AfterEach
  void stop() {
    cluster.close();
    proxies.forEach(RealProxy::close);
    servers.forEach(EchoBackend::close);
  }

  /** Two proxies, {@code count} Ready servers, the operator, and a Ready k3s-api resource. */
  void readyLoadBalancer(int count, int minBackends) throws Exception {
    proxies.add(new RealProxy("lb-1", "127.0.0.1", ca, "token", dir.resolve("lb-1")));
    proxies.add(new RealProxy("lb-2", "127.0.0.2", ca, "token", dir.resolve("lb-2")));
    frontendPort = Ports.free("127.0.0.1");
    int port = 0;
    for (int i = 1; i <= count; i++) {
      EchoBackend b =
          EchoBackend.startTls("server-" + i, "127.0.0.1" + i, port, List.of("127.0.0.1" + i, VIP));
      port = b.port();
      servers.add(b);
      cluster.put(Nodes.server("server-" + i, "127.0.0.1" + i).build());
    }
    api.client()
        .secrets()
        .resource(Resources.credentials(api.namespace(), "token", ca.certificatePem()))
        .createOr(r -> r.update());
    cluster.startLeaderElectedOperator();
    ExternalLoadBalancer elb =
        Resources.elb(
            api.namespace(),
            "k3s-api",
            frontendPort,
            VIP + "/8",
            List.of(
                new ProxySpec("lb-1", proxies.get(0).endpoint(), 2),
                new ProxySpec("lb-2", proxies.get(1).endpoint(), 1)));
    elb.getSpec().balance = BalanceSpec.RoundRobin;
    elb.getSpec().backends = new BackendsSpec();
    elb.getSpec().backends.port = port;
    elb.getSpec().backends.minBackends = minBackends;
    elb.getSpec().healthCheck = new HealthCheckSpec();
    elb.getSpec().healthCheck.intervalSeconds = 1;
    elb.getSpec().healthCheck.rise = 1;
    api.client().resource(elb).create();
    cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
  }

  /**
   * A kubectl table row as column → value; {@code get -w} aligns each row on its own, so cells are
   * split on blanks (none of these values is empty or has one).
   */
  static Map<String, String> row(String header, String line) {
    String[] names = header.trim().split("\\s+");
    String[] cells = line.trim().split("\\s+");
    Map<String, String> row = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      row.put(names[i], i < cells.length ? cells[i] : "");
    }
    return row;
  }

  /** Whether the server lists Events by involvedObject, as kubectl describe asks it to. */
  boolean serverSelectsEventsByInvolvedObject() throws Exception {
    Kubectl.Result r =
        kubectl.attempt("get", "events", "--field-selector", "involvedObject.name=k3s-api");
    return r.exit() == 0 && !r.out().contains("not a known field selector");
  }

  @Test
  void kubectlWaitReturnsAndGetPrintsReadyBackendsProxiesAndAddress() throws Exception {
    readyLoadBalancer(3, 1);
    assertThat(kubectl.run("wait", "--for=condition=Ready", "--timeout=30s", "elb/k3s-api"))
        .contains("condition met");
    await()
        .atMost(TestCluster.PATIENCE)
        .untilAsserted(
            () -> {
              List<String> table = kubectl.run("get", "elb").lines().toList();
              assertThat(table).hasSize(2);
              assertThat(table.get(0).trim().split("\\s+"))
                  .as("columns in the order users read them")
                  .containsExactly(
                      "NAME", "READY", "REASON", "BACKENDS", "PROXIES", "ADDRESS", "AGE");
              assertThat(row(table.get(0), table.get(1)))
                  .containsEntry("NAME", "k3s-api")
                  .containsEntry("READY", "True")
                  .containsEntry("REASON", "Synced")
                  .containsEntry("BACKENDS", "3/3")
                  .containsEntry("PROXIES", "2/2")
                  .containsEntry("ADDRESS", "https://" + VIP + ":" + frontendPort)
                  .containsKey("AGE");
            });
    for (RealProxy p : proxies) {
      Set<String> reached = new TreeSet<>();
      for (int i = 0; i < 9; i++) {
        reached.add(TlsServers.greeting(p.host(), frontendPort));
      }
      assertThat(reached).containsExactly("server-1", "server-2", "server-3");
    }
  }

  @Test
  void kubectlGetWatchShowsNoReadyFalseRowWhileAServerLeavesAndRejoins() throws Exception {
    readyLoadBalancer(3, 1);
    try (Kubectl.Streaming watch = kubectl.stream("get", "elb", "k3s-api", "--watch")) {
      await()
          .atMost(TestCluster.PATIENCE)
          .untilAsserted(() -> assertThat(watch.lines()).anyMatch(l -> l.contains("3/3")));
      cluster.put(Nodes.server("server-2", "127.0.0.12").ready(false).build());
      await()
          .atMost(TestCluster.PATIENCE)
          .untilAsserted(() -> assertThat(last(watch)).containsEntry("BACKENDS", "2/3"));
      for (RealProxy p : proxies) {
        assertThat(p.served(api.namespace() + ".k3s-api")).containsExactly("server-1", "server-3");
      }
      cluster.put(Nodes.server("server-2", "127.0.0.12").build());
      await()
          .atMost(TestCluster.PATIENCE)
          .untilAsserted(
              () ->
                  assertThat(last(watch))
                      .containsEntry("BACKENDS", "3/3")
                      .containsEntry("REASON", "Synced"));
      List<String> lines = watch.lines();
      int firstReady = 1;
      while (!row(lines.get(0), lines.get(firstReady)).get("READY").equals("True")) {
        firstReady++;
      }
      assertThat(lines.subList(firstReady, lines.size()))
          .as("kubectl get -w rows once Ready, through the leave and the rejoin")
          .allSatisfy(l -> assertThat(row(lines.get(0), l)).containsEntry("READY", "True"));
      assertThat(watch.alive()).as("kubectl get -w still watching").isTrue();
    }
  }

  private static Map<String, String> last(Kubectl.Streaming watch) {
    List<String> lines = watch.lines();
    assertThat(lines).as("kubectl get -w output").hasSizeGreaterThan(1);
    return row(lines.get(0), lines.get(lines.size() - 1));
  }

  @Test
  void kubectlExplainDescribesTheFields() throws Exception {
    assertThat(kubectl.run("explain", "externalloadbalancer.spec.healthCheck.rise"))
        .contains("Consecutive passed checks that bring a Down server Up (default 2).");
    assertThat(kubectl.run("explain", "externalloadbalancer.spec.admission"))
        .contains("newConnectionsPerSecond")
        .contains("The reconnect-storm guard");
    assertThat(kubectl.run("explain", "externalloadbalancer.status.conditions"))
        .contains("agents can register through the address now");
  }

  @Test
  void kubectlDescribeShowsTheConditionsAndTheEvents() throws Exception {
    readyLoadBalancer(3, 1);
    cluster.put(Nodes.server("server-2", "127.0.0.12").ready(false).build());
    String added = "Normal\\s+BackendAdded\\s+.*server-1 \\(127\\.0\\.0\\.11:\\d+\\) joined";
    String removed =
        "Normal\\s+BackendRemoved\\s+.*server-2 \\(127\\.0\\.0\\.12:\\d+\\) left the backends:"
            + " is not Ready";
    boolean describeListsEvents = serverSelectsEventsByInvolvedObject();
    await()
        .atMost(TestCluster.PATIENCE)
        .untilAsserted(
            () -> {
              String describe = kubectl.run("describe", "elb", "k3s-api");
              assertThat(describe)
                  .containsPattern("Reason:\\s+Synced\\s+Status:\\s+True\\s+Type:\\s+Ready")
                  .containsPattern("Status:\\s+False\\s+Type:\\s+Degraded")
                  .containsPattern("Backends Summary:\\s+2/3")
                  .contains("Events:");
              if (describeListsEvents) {
                assertThat(describe).containsPattern(added).containsPattern(removed);
              }
            });
    if (!describeListsEvents) {
      // realapi cannot select Events by involvedObject, so describe prints "<none>" there; the
      // same Events (type, reason, object, message) come from a plain listing instead.
      assertThat(
              kubectl.run(
                  "get",
                  "events",
                  "-o",
                  "custom-columns=TYPE:.type,REASON:.reason,OBJECT:.involvedObject.name,"
                      + "MESSAGE:.message"))
          .containsPattern(added)
          .containsPattern(removed);
    }
  }
}
