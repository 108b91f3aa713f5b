package dev.fulcrum.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fulcrum.operator.crd.BackendsSpec;
import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec.BalanceSpec;
import dev.fulcrum.operator.crd.HealthCheckSpec;
import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.status.Conditions;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.RealProxy;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.operator.testing.TestCluster;
import dev.fulcrum.operator.testing.TlsServers;
import dev.fulcrum.proxy.admin.Pki;
import dev.fulcrum.proxy.testing.EchoBackend;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a real API server named by {@code FULCRUM_IT_KUBECONFIG} (e.g. ../shared/realapi): the
 * CRD's schema, defaults and CEL rules, and the operator with server-side apply and leader
 * election.
 */
class RealApiIT {
  static final String ID = Resources.NAMESPACE + ".k3s-api";
  static final String VIP = "127.0.0.100";

  @TempDir Path dir;
  KubernetesClient client;
  TestCluster cluster;
  final Pki.Issued ca = Pki.certificateAuthority("fulcrum-test-ca");
  final List<EchoBackend> servers = new ArrayList<>();
  final List<RealProxy> proxies = new ArrayList<>();

  @BeforeEach
  void connect() {
    String kubeconfig = System.getenv("FULCRUM_IT_KUBECONFIG");
    assumeTrue(kubeconfig != null && !kubeconfig.isBlank(), "FULCRUM_IT_KUBECONFIG is not set");
    client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(new File(kubeconfig)))
            .build();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(Resources.NAMESPACE)
                .endMetadata()
                .build())
        .createOr(r -> r.update());
    cluster = new TestCluster(client, true);
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName("externalloadbalancers.lb.fulcrum.dev")
        .waitUntilCondition(
            c ->
                c != null
                    && c.getStatus() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            x -> x.getType().equals("Established") && x.getStatus().equals("True")),
            30,
            TimeUnit.SECONDS);
  }

  @AfterEach
  void close() {
    if (cluster != null) {
      cluster.close();
      client.leases().inNamespace(Resources.NAMESPACE).delete();
      client.close();
    }
    proxies.forEach(RealProxy::close);
    servers.forEach(EchoBackend::close);
  }

  /** Runs kubectl against the same API server when it is installed, as a user would. */
  private static String kubectl(String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "kubectl",
                "--kubeconfig",
                System.getenv("FULCRUM_IT_KUBECONFIG"),
                "-n",
                Resources.NAMESPACE));
    command.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      org.junit.jupiter.api.Assumptions.abort("kubectl is not installed");
      throw e;
    }
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }

  @Test
  void theApiServerRejectsDuplicateProxyNamesAndOutOfRangePortsAndFillsDefaults() {
    ExternalLoadBalancer dup =
        Resources.elb(
            "dup",
            6443,
            null,
            List.of(
                new ProxySpec("lb-1", "https://127.0.0.1:1", 1),
                new ProxySpec("lb-1", "https://127.0.0.2:1", 1)));
    assertThatThrownBy(() -> client.resource(dup).create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("proxies[].name must be unique");
    ExternalLoadBalancer port =
        Resources.elb(
            "port", 70000, null, List.of(new ProxySpec("lb-1", "https://127.0.0.1:1", 1)));
    assertThatThrownBy(() -> client.resource(port).create())
        .hasMessageContaining("spec.frontend.port");

    ExternalLoadBalancer noInterface =
        Resources.elb(
            "vip", 6443, VIP + "/8", List.of(new ProxySpec("lb-1", "https://127.0.0.1:1", 1)));
    noInterface.getSpec().frontend.interfaceName = null;
    assertThatThrownBy(() -> client.resource(noInterface).create())
        .hasMessageContaining("a virtualIP needs interface and virtualRouterId");

    ExternalLoadBalancer ok =
        Resources.elb("ok", 6443, null, List.of(new ProxySpec("lb-1", "https://127.0.0.1:1", 1)));
    ok.getSpec().backends = new BackendsSpec();
    ExternalLoadBalancer created = client.resource(ok).create();
    assertThat(created.getSpec().balance).isEqualTo(BalanceSpec.LeastConnections);
    assertThat(created.getSpec().deletionPolicy.name()).isEqualTo("Retain");
    assertThat(created.getSpec().backends.port).isEqualTo(6443);
    assertThat(created.getSpec().backends.minBackends).isEqualTo(1);
    client.resource(created).delete();
  }

  @Test
  void leaderElectedOperatorWithServerSideApplyMakesTwoRealProxiesServeThreeServers()
      throws Exception {
    proxies.add(new RealProxy("lb-1", "127.0.0.1", ca, "token", dir.resolve("lb-1")));
    proxies.add(new RealProxy("lb-2", "127.0.0.2", ca, "token", dir.resolve("lb-2")));
    int frontendPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      frontendPort = s.getLocalPort();
    }
    int port = 0;
    for (int i = 1; i <= 3; i++) {
      EchoBackend b =
          TlsServers.start("server-" + i, "127.0.0.1" + i, port, List.of("127.0.0.1" + i, VIP));
      port = b.port();
      servers.add(b);
      cluster.put(Nodes.server("server-" + i, "127.0.0.1" + i).build());
    }
    client
        .secrets()
        .resource(Resources.credentials("token", ca.certificatePem()))
        .createOr(r -> r.update());
    cluster.startLeaderElectedOperator();
    ExternalLoadBalancer elb =
        Resources.elb(
            "k3s-api",
            frontendPort,
            VIP + "/8",
            List.of(
                new ProxySpec("lb-1", proxies.get(0).endpoint(), 2),
                new ProxySpec("lb-2", proxies.get(1).endpoint(), 1)));
    elb.getSpec().balance = BalanceSpec.RoundRobin;
    elb.getSpec().backends = new BackendsSpec();
    elb.getSpec().backends.port = port;
    elb.getSpec().healthCheck = new HealthCheckSpec();
    elb.getSpec().healthCheck.intervalSeconds = 1;
    elb.getSpec().healthCheck.rise = 1;
    client.resource(elb).create();

    cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
    assertThat(kubectl("wait", "--for=condition=Ready", "--timeout=30s", "elb/k3s-api"))
        .contains("condition met");
    String table = kubectl("get", "elb");
    System.out.print(table);
    assertThat(table.lines().findFirst().orElseThrow())
        .contains("READY", "REASON", "BACKENDS", "PROXIES", "ADDRESS", "AGE");
    assertThat(table)
        .contains("k3s-api")
        .contains("Synced")
        .contains("2/2")
        .contains("https://" + VIP);
    for (RealProxy p : proxies) {
      assertThat(p.served(ID)).containsExactly("server-1", "server-2", "server-3");
      java.util.Set<String> reached = new java.util.TreeSet<>();
      for (int i = 0; i < 9; i++) {
        reached.add(TlsServers.greeting(p.host(), frontendPort));
      }
      assertThat(reached).containsExactly("server-1", "server-2", "server-3");
    }
    cluster.put(Nodes.server("server-2", "127.0.0.12").ready(false).build());
    org.awaitility.Awaitility.await()
        .atMost(TestCluster.PATIENCE)
        .until(
            () ->
                proxies.stream()
                    .allMatch(p -> p.served(ID).equals(List.of("server-1", "server-3"))));
    cluster.awaitCondition("k3s-api", Conditions.READY, "True", "Synced");
  }
}
