package dev.fulcrum.operator.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.operator.crd.BackendsSpec;
import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec.BalanceSpec;
import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.status.Conditions;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.RealProxy;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.operator.testing.TestCluster;
import dev.fulcrum.operator.testing.TlsServers;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.Ports;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The seed topology for resilience ITs: three TLS servers on 127.0.0.11-13, two real
 * proxies on 127.0.0.1/.2, and the operator against the given API server.
 */
final class SeedTopology implements AutoCloseable {
  static final String NAME = "k3s-api";
  static final String ID = Resources.NAMESPACE + "." + NAME;
  static final String VIP = "127.0.0.100";

  final KubernetesClient client;
  final String token;
  final Pki.Issued ca = TestPki.authority("fulcrum-resilience-ca");
  final AtomicLong epoch = new AtomicLong();
  final List<EchoBackend> servers = new ArrayList<>();
  final RealProxy lb1;
  final RealProxy lb2;
  final int frontendPort;
  final TestCluster cluster;
  int serverPort;

  SeedTopology(KubernetesClient client, Path dir, String token) throws Exception {
    this.client = client;
    this.token = token;
    lb1 = new RealProxy("lb-1", "127.0.0.1", ca, token, dir.resolve("lb-1"));
    lb2 = new RealProxy("lb-2", "127.0.0.2", ca, token, dir.resolve("lb-2"));
    lb1.vipHeld(true);
    frontendPort = Ports.free("127.0.0.1");
    for (int i = 1; i <= 3; i++) {
      EchoBackend b =
          EchoBackend.startTls(
              "server-" + i, "127.0.0.1" + i, serverPort, List.of("127.0.0.1" + i, VIP));
      serverPort = b.port();
      servers.add(b);
    }
    cluster = new TestCluster(client).startOperator(epoch::get);
    client
        .secrets()
        .resource(Resources.credentials(token, ca.certificatePem()))
        .createOr(r -> r.update());
  }

  /** Servers 1-3 as Ready control-plane Nodes and the resource, with 1 s health checks. */
  void createServersAndLoadBalancer() {
    for (int i = 1; i <= 3; i++) {
      cluster.put(Nodes.server("server-" + i, "127.0.0.1" + i).build());
    }
    ExternalLoadBalancer elb =
        Resources.elb(
            NAME,
            frontendPort,
            VIP + "/8",
            List.of(
                new ProxySpec("lb-1", lb1.endpoint(), 200),
                new ProxySpec("lb-2", lb2.endpoint(), 100)));
    elb.getSpec().balance = BalanceSpec.RoundRobin;
    elb.getSpec().backends = new BackendsSpec();
    elb.getSpec().backends.port = serverPort;
    elb.getSpec().healthCheck = Resources.checkedEverySecond();
    client.resource(elb).create();
  }

  /** Names greeting 12 connections through the proxy's frontend. */
  Set<String> reachedThrough(RealProxy proxy) throws Exception {
    Set<String> names = new TreeSet<>();
    for (int i = 0; i < 12; i++) {
      names.add(TlsServers.greeting(proxy.host(), frontendPort));
    }
    return names;
  }

  /** The starting point of most scenarios: servers 1-3 synced and served through both proxies. */
  void startSynced() {
    createServersAndLoadBalancer();
    cluster.awaitCondition(NAME, Conditions.READY, "True", "Synced");
    awaitEverywhere("server-1", "server-2", "server-3");
  }

  /** Both proxies serve exactly these servers, by status and by real connections. */
  void awaitEverywhere(String... names) {
    await()
        .atMost(TestCluster.PATIENCE)
        .untilAsserted(
            () -> {
              assertThat(lb1.served(ID)).containsExactly(names);
              assertThat(lb2.served(ID)).containsExactly(names);
              assertThat(reachedThrough(lb1)).containsExactly(names);
              assertThat(reachedThrough(lb2)).containsExactly(names);
            });
  }

  @Override
  public void close() {
    cluster.close();
    lb1.close();
    lb2.close();
    servers.forEach(EchoBackend::close);
  }
}
