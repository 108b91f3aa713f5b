package dev.fulcrum.operator.demo;

import dev.fulcrum.operator.OperatorMain;
import dev.fulcrum.operator.OperatorSettings;
import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.RealProxy;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.proxy.testing.Ports;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Everything the demo runs, started in order and closed in reverse: API server, three simulated K3s
 * servers, two real proxies, the operator, the Nodes and the resource.
 */
final class Demo implements AutoCloseable {
  static final String NAME = "k3s-api";
  static final String ID = DemoApi.NAMESPACE + "." + NAME;
  static final String LB1_HOST = "127.0.0.2";
  static final String LB2_HOST = "127.0.0.3";

  final StatusPrinter.Stopwatch clock = new StatusPrinter.Stopwatch();
  final PrintStream out;
  final Pki.Issued ca = TestPki.authority("fulcrum-demo-ca");
  final List<K3sServer> servers = new ArrayList<>();
  private final Deque<AutoCloseable> closers = new ArrayDeque<>();
  DemoApi api;
  RealProxy lb1;
  RealProxy lb2;
  StatusPrinter status;
  int frontendPort;
  int serverPort;

  Demo(PrintStream out) {
    this.out = out;
  }

  void say(String text) {
    out.println(clock.stamp() + text);
  }

  Demo start(Path workDir, Path realApiScripts, boolean preferRealApi) throws Exception {
    api = DemoApi.start(workDir, realApiScripts, preferRealApi);
    closers.push(api);
    say(
        (api.isRealApi() ? "real API server (../shared/realapi)" : "API server: Fabric8 mock")
            + " at "
            + api.client().getMasterUrl());
    frontendPort = freePort(List.of(LB1_HOST, LB2_HOST));
    serverPort = freePort(List.of("127.0.0.11", "127.0.0.12", "127.0.0.13"));
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    closers.push(
        () ->
            group
                .shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS)
                .syncUninterruptibly());
    for (int i = 1; i <= 3; i++) {
      String host = "127.0.0.1" + i;
      // K3s's tls-san: the server's own address and the frontend addresses agents dial.
      K3sServer s =
          new K3sServer(
                  "server-" + i,
                  new InetSocketAddress(host, serverPort),
                  List.of(host, LB1_HOST, LB2_HOST),
                  ca,
                  group)
              .start();
      servers.add(s);
      closers.push(s);
    }
    say("3 simulated K3s servers (TLS, GET /ping -> pong) on 127.0.0.11-13:" + serverPort);
    String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    lb1 = new RealProxy("lb-1", LB1_HOST, ca, token, workDir.resolve("lb-1"));
    closers.push(lb1);
    lb2 = new RealProxy("lb-2", LB2_HOST, ca, token, workDir.resolve("lb-2"));
    closers.push(lb2);
    say("2 proxies: lb-1 admin " + lb1.endpoint() + ", lb-2 admin " + lb2.endpoint());
    KubernetesClient client = api.client();
    client.resource(Resources.credentials(token, ca.certificatePem())).createOr(r -> r.update());
    Operator operator =
        OperatorMain.start(
            client,
            // The operator's shipped defaults (leader election, change streams, the 60 s
            // safety-net poll, 1 s join debounce); only the Lease's namespace and the metrics
            // port (none) differ from a cluster install.
            OperatorSettings.from(
                Map.of("FULCRUM_LEASE_NAMESPACE", DemoApi.NAMESPACE, "FULCRUM_METRICS_PORT", "0"),
                new String[0]),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            null,
            api.isRealApi(),
            false);
    closers.push(operator::stop);
    say(
        "operator started with its defaults (leader election, a change stream per proxy, a"
            + " safety-net check every 60 s, joins debounced 1 s)");
    for (K3sServer s : servers) {
      node(s, true);
    }
    say("Nodes server-1..3 registered (Ready, control-plane, InternalIP 127.0.0.11-13)");
    status = new StatusPrinter(client, NAME, clock, out);
    closers.push(status);
    client.resource(manifest()).create();
    say("applied k3s-ha-demo.yaml (deploy/examples/k3s-ha.yaml on loopback)");
    return this;
  }

  /** The demo CA in PEM, which the servers' certificates chain to, for curl. */
  Path writeCa() throws IOException {
    return java.nio.file.Files.writeString(
        api.kubeconfig().resolveSibling("demo-ca.crt"), ca.certificatePem());
  }

  /** The K3s server's Node, Ready or not, as the kubelet reports it. */
  void node(K3sServer s, boolean ready) {
    api.put(Nodes.server(s.name(), s.host()).ready(ready).build());
  }

  private ExternalLoadBalancer manifest() throws IOException {
    try (InputStream in = Demo.class.getResourceAsStream("k3s-ha-demo.yaml")) {
      String yaml =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .replace("${FRONTEND_PORT}", Integer.toString(frontendPort))
              .replace("${SERVER_PORT}", Integer.toString(serverPort))
              .replace("${LB1_ADMIN_PORT}", port(lb1.endpoint()))
              .replace("${LB2_ADMIN_PORT}", port(lb2.endpoint()));
      return api.client().getKubernetesSerialization().unmarshal(yaml, ExternalLoadBalancer.class);
    }
  }

  private static String port(String endpoint) {
    return endpoint.substring(endpoint.lastIndexOf(':') + 1);
  }

  /** 6443, the K3s port, when free on every host; else a port the kernel picks. */
  private static int freePort(List<String> hosts) throws IOException {
    if (freeOnAll(6443, hosts)) {
      return 6443;
    }
    for (int attempt = 0; attempt < 20; attempt++) {
      int port = Ports.free(hosts.get(0)); // below the ephemeral range
      if (freeOnAll(port, hosts)) {
        return port;
      }
    }
    throw new IOException("no port free on all of " + hosts);
  }

  private static boolean freeOnAll(int port, List<String> hosts) {
    for (String h : hosts) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(h, port));
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    // A Ctrl-C may have interrupted a step; closing must not be cut short by the flag.
    Thread.interrupted();
    while (!closers.isEmpty()) {
      AutoCloseable c = closers.pop();
      try {
        c.close();
      } catch (Exception e) {
        out.println("  (while stopping: " + e + ")");
      }
    }
  }
}
