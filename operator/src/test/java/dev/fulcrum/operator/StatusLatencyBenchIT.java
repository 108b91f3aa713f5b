package dev.fulcrum.operator;

import static org.awaitility.Awaitility.await;

import dev.fulcrum.operator.crd.BackendsSpec;
import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.status.Conditions;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.RealApiServer;
import dev.fulcrum.operator.testing.RealProxy;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.operator.testing.TestCluster;
import dev.fulcrum.proxy.api.BackendStatus;
import dev.fulcrum.proxy.api.LoadBalancerStatus;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.Ports;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import io.fabric8.kubernetes.api.model.Condition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a timed assertion: how long each kind of change takes from the moment a proxy sees
 * it to the moment status says it, with the operator at its shipped defaults (leader election,
 * change streams, the 60 s safety-net poll) on the real API server; and how many admin requests a
 * proxy answers per minute when nothing changes. Two real proxies on 127.0.0.1/.2, three real TLS
 * servers on 127.0.0.11-13. Figures go to stdout and target/bench/status-latency.txt.
 *
 * <p>Knobs (system properties): {@code fulcrum.bench.rounds} (default 20), {@code
 * fulcrum.bench.idleSeconds} (default 120).
 */
@EnabledIfEnvironmentVariable(
    named = RealApiServer.ENV,
    matches = ".*\\S.*",
    disabledReason = RealApiServer.SKIPPED)
class StatusLatencyBenchIT {
  private static final String VIP = "127.0.0.100";
  private static final String LB = "k3s-api";
  private static final Duration BOUND = Duration.ofSeconds(30);

  @TempDir Path dir;
  private final Pki.Issued ca = TestPki.authority("bench-ca");
  private final Map<String, List<Long>> delays = new LinkedHashMap<>();
  private final EchoBackend[] servers = new EchoBackend[3];
  private RealApiServer api;
  private TestCluster cluster;
  private RealProxy lb1;
  private RealProxy lb2;
  private String id;
  private int serverPort;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
    for (AutoCloseable c : new AutoCloseable[] {lb1, lb2, api}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    for (EchoBackend s : servers) {
      if (s != null) {
        s.close();
      }
    }
  }

  @Test
  void changeToStatusDelaysAndIdleAdminRequestsPerProxy() throws Exception {
    int rounds = Integer.getInteger("fulcrum.bench.rounds", 20);
    int idleSeconds = Integer.getInteger("fulcrum.bench.idleSeconds", 120);
    api = RealApiServer.connect("fulcrum-bench-status");
    id = api.namespace() + "." + LB;
    lb1 = new RealProxy("lb-1", "127.0.0.1", ca, "token", dir.resolve("lb-1"));
    lb2 = new RealProxy("lb-2", "127.0.0.2", ca, "token", dir.resolve("lb-2"));
    lb1.vipHeld(true);
    for (int i = 0; i < 3; i++) {
      startServer(i, true);
    }
    cluster = new TestCluster(api.client(), true, api.namespace());
    cluster.startLeaderElectedOperator();
    api.client()
        .secrets()
        .resource(Resources.credentials(api.namespace(), "token", ca.certificatePem()))
        .createOr(r -> r.update());
    for (int i = 1; i <= 3; i++) {
      cluster.put(Nodes.server("server-" + i, "127.0.0.1" + i).build());
    }
    createLoadBalancer();
    cluster.awaitCondition(LB, Conditions.READY, "True", "Synced");

    for (int r = 0; r < rounds; r++) {
      serverDownAndUp();
      certificateWithoutTheVipAndBack();
      proxyGoneAndBack();
      serverLeavesAndRejoins();
    }
    String idle = idleRequests(idleSeconds);
    report(rounds, idle);
  }

  /** server-3's process dies, then comes back on the same port. */
  private void serverDownAndUp() throws Exception {
    servers[2].kill();
    measure(
        "server Down",
        () -> "Down".equals(proxyHealth("server-3")),
        () -> "Down".equals(cluster.health(LB, "server-3")));
    startServer(2, true);
    measure(
        "server Up again",
        () -> "Up".equals(proxyHealth("server-3")),
        () -> "Up".equals(cluster.health(LB, "server-3")));
  }

  /** server-1 restarts with a certificate that does not name the VIP, then with one that does. */
  private void certificateWithoutTheVipAndBack() throws Exception {
    servers[0].close();
    startServer(0, false);
    measure(
        "certificate without the VIP",
        () -> Boolean.FALSE.equals(proxyCovers("server-1")),
        () -> "CertificateMissingSAN".equals(reason(Conditions.DEGRADED)));
    servers[0].close();
    startServer(0, true);
    measure(
        "certificate naming the VIP again",
        () -> Boolean.TRUE.equals(proxyCovers("server-1")),
        () -> !"CertificateMissingSAN".equals(reason(Conditions.DEGRADED)));
  }

  /** lb-2's admin API stops (the host is gone as far as the operator can tell), then returns. */
  private void proxyGoneAndBack() throws Exception {
    lb2.stopAdmin();
    measure(
        "proxy unreachable",
        () -> true,
        () -> {
          Condition ready = condition(Conditions.READY);
          return ready != null
              && "ProxyUnreachable".equals(ready.getReason())
              && ready.getMessage().contains("lb-2");
        });
    lb2.startAdmin();
    measure("proxy reachable again", () -> true, () -> "Synced".equals(reason(Conditions.READY)));
  }

  /**
   * server-2's Node goes NotReady, then Ready: each time the operator pushes a new version; the
   * delay runs from the moment both proxies applied it to the moment status lists it for both.
   */
  private void serverLeavesAndRejoins() throws Exception {
    cluster.put(Nodes.server("server-2", "127.0.0.12").ready(false).build());
    measureApplied("new version applied (server leaves)", "server-2", false);
    cluster.put(Nodes.server("server-2", "127.0.0.12").build());
    measureApplied("new version applied (server rejoins)", "server-2", true);
  }

  private void measureApplied(String kind, String server, boolean listed) throws Exception {
    String[] applied = new String[1];
    measure(
        kind,
        () -> {
          LoadBalancerStatus a = lb1.status(id);
          LoadBalancerStatus b = lb2.status(id);
          boolean done =
              a != null
                  && b != null
                  && Objects.equals(a.appliedVersion(), b.appliedVersion())
                  && lb1.served(id).contains(server) == listed
                  && lb2.served(id).contains(server) == listed;
          applied[0] = done ? a.appliedVersion() : null;
          return done;
        },
        () -> {
          ExternalLoadBalancerStatus s = cluster.status(LB);
          return s != null
              && s.proxies.size() == 2
              && s.proxies.stream().allMatch(p -> applied[0].equals(p.appliedVersion));
        });
  }

  /**
   * The delay from {@code seen} (polled every 5 ms) to {@code shown} (polled every 10 ms: each poll
   * reads the informer-free status with a GET, so the figure includes up to 10 ms of polling).
   */
  private void measure(String kind, Callable<Boolean> seen, Callable<Boolean> shown) {
    await().atMost(BOUND).pollInterval(Duration.ofMillis(5)).until(seen);
    long from = System.nanoTime();
    await().atMost(BOUND).pollInterval(Duration.ofMillis(10)).until(shown);
    delays
        .computeIfAbsent(kind, k -> new ArrayList<>())
        .add((System.nanoTime() - from) / 1_000_000);
  }

  /** GETs each proxy answers per minute while nothing changes. */
  private String idleRequests(int seconds) throws Exception {
    cluster.awaitCondition(LB, Conditions.READY, "True", "Synced");
    long lb1Before = lb1.adminRequests("GET");
    long lb2Before = lb2.adminRequests("GET");
    long puts = lb1.puts() + lb2.puts();
    long started = System.nanoTime();
    await()
        .pollDelay(Duration.ofSeconds(seconds))
        .atMost(Duration.ofSeconds(seconds + 5))
        .until(() -> true);
    double minutes = (System.nanoTime() - started) / 60e9;
    return String.format(
        "idle for %d s: lb-1 answered %.1f GET/min, lb-2 %.1f GET/min (change streams included),"
            + " %d PUTs",
        seconds,
        (lb1.adminRequests("GET") - lb1Before) / minutes,
        (lb2.adminRequests("GET") - lb2Before) / minutes,
        lb1.puts() + lb2.puts() - puts);
  }

  private void report(int rounds, String idle) throws Exception {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "change to status, %d rounds, operator defaults (poll %d s), real API server:%n",
            rounds, OperatorSettings.DEFAULT_POLL.toSeconds()));
    out.append(String.format("%-40s %8s %8s %8s%n", "change", "p50 ms", "p99 ms", "max ms"));
    delays.forEach(
        (kind, ms) -> {
          List<Long> sorted = new ArrayList<>(ms);
          Collections.sort(sorted);
          out.append(
              String.format(
                  "%-40s %8d %8d %8d%n",
                  kind,
                  percentile(sorted, 50),
                  percentile(sorted, 99),
                  sorted.get(sorted.size() - 1)));
        });
    out.append(idle).append(System.lineSeparator());
    System.out.print(out);
    Path file = Path.of("target", "bench", "status-latency.txt");
    Files.createDirectories(file.getParent());
    Files.writeString(file, out);
  }

  /** Nearest-rank percentile of sorted samples. */
  static long percentile(List<Long> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private void startServer(int i, boolean withVip) throws Exception {
    String host = "127.0.0.1" + (i + 1);
    List<String> sans = withVip ? List.of(host, VIP) : List.of(host);
    servers[i] = EchoBackend.startTls("server-" + (i + 1), host, serverPort, sans);
    serverPort = servers[i].port();
  }

  private void createLoadBalancer() {
    ExternalLoadBalancer elb =
        Resources.elb(
            api.namespace(),
            LB,
            Ports.free("127.0.0.1"),
            VIP + "/8",
            List.of(
                new ProxySpec("lb-1", lb1.endpoint(), 200),
                new ProxySpec("lb-2", lb2.endpoint(), 100)));
    elb.getSpec().backends = new BackendsSpec();
    elb.getSpec().backends.port = serverPort;
    // Checks every second, so the proxies see each change soon; what is measured starts there.
    elb.getSpec().healthCheck = Resources.checkedEverySecond();
    api.client().resource(elb).create();
  }

  private String proxyHealth(String server) {
    BackendStatus b = proxyBackend(server);
    return b == null ? null : b.health().label();
  }

  private Boolean proxyCovers(String server) {
    BackendStatus b = proxyBackend(server);
    return b == null || b.tlsSans() == null || b.tlsSans().isEmpty()
        ? null
        : b.tlsSans().contains(VIP);
  }

  private BackendStatus proxyBackend(String server) {
    LoadBalancerStatus s = lb1.status(id);
    return s == null
        ? null
        : s.backends().stream().filter(b -> b.name().equals(server)).findFirst().orElse(null);
  }

  private Condition condition(String type) {
    ExternalLoadBalancerStatus s = cluster.status(LB);
    return s == null ? null : Conditions.find(s.conditions, type);
  }

  private String reason(String type) {
    Condition c = condition(type);
    return c == null ? null : c.getReason();
  }
}
