package dev.fulcrum.proxy.vip;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.proxy.api.WireJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One lb host of the keepalived test: a fulcrum-proxy process and keepalived in a namespace. */
final class LbHost {
  private static final String TOKEN = "vip-it-token-7c1d";

  final String name;
  final String ns;
  private final NetnsLab lab;
  private final Path dir;
  private Process proxy;
  private int starts;
  private String ingress = "";

  LbHost(NetnsLab lab, String name, String ns, Path dir) throws IOException {
    this.lab = lab;
    this.name = name;
    this.ns = ns;
    this.dir = Files.createDirectories(dir);
    Files.writeString(dir.resolve("token"), TOKEN + "\n");
    writeConfig("{lb-1: 200, lb-2: 100}");
  }

  /**
   * Adds a second static load balancer, default.ingress: port 8443 on VIP 192.0.2.101 (router id
   * 52) in front of the echo server on 192.0.2.20:7001; takes effect at the next start.
   */
  void addIngress() throws IOException {
    ingress =
        """
          - id: default.ingress
            frontend:
              port: 8443
              virtualIP: 192.0.2.101/24
              interface: eth1
              virtualRouterId: 52
              priorities: {lb-1: 200, lb-2: 100}
            healthCheck: {mode: TCP, intervalSeconds: 1, rise: 1, fall: 2}
            backends:
              - {name: ingress, address: 192.0.2.20, port: 7001}
        """;
    writeConfig("{lb-1: 200, lb-2: 100}");
  }

  /** (Re)writes proxy.yaml; the static load balancer carries these VRRP priorities. */
  void writeConfig(String priorities) throws IOException {
    Files.writeString(
        dir.resolve("proxy.yaml"),
        """
        name: %s
        admin: {listen: "127.0.0.1:9443", tokenFile: "%s"}
        telemetry: {listen: "127.0.0.1:9100"}
        stateDir: "%s"
        workerThreads: 1
        keepalived:
          configPath: "%s"
          pidFile: "%s"
        loadBalancers:
          - id: default.k3s-api
            frontend:
              port: 6443
              virtualIP: 192.0.2.100/24
              interface: eth1
              virtualRouterId: 51
              priorities: %s
            healthCheck: {mode: TCP, intervalSeconds: 1, rise: 1, fall: 2}
            backends:
              - {name: echo, address: 192.0.2.20, port: 7000}
        %s"""
            .formatted(
                name,
                dir.resolve("token"),
                dir.resolve("state"),
                keepalivedConf(),
                dir.resolve("keepalived.pid"),
                priorities,
                ingress));
  }

  Path keepalivedConf() {
    return dir.resolve("keepalived").resolve("keepalived.conf");
  }

  /** Starts the proxy, waits for the config it renders, then starts keepalived on it. */
  void start() throws Exception {
    startProxy();
    await(name + " renders keepalived.conf")
        .atMost(Duration.ofSeconds(90))
        .until(() -> Files.exists(keepalivedConf()));
    lab.spawn(
        ns,
        dir.resolve("keepalived.log"),
        NetnsLab.KEEPALIVED,
        "-n",
        "-l",
        "-D",
        "-P",
        "-f",
        keepalivedConf().toString(),
        "-p",
        dir.resolve("keepalived.pid").toString(),
        "-r",
        dir.resolve("vrrp.pid").toString(),
        "-c",
        dir.resolve("checkers.pid").toString());
  }

  void startProxy() throws IOException {
    starts++;
    proxy =
        lab.spawn(
            ns,
            dir.resolve("proxy-" + starts + ".log"),
            java(
                "-jar",
                Path.of("target", "fulcrum-proxy.jar").toAbsolutePath().toString(),
                "--config",
                dir.resolve("proxy.yaml").toString()));
  }

  /** SIGTERM, as {@code systemctl stop} would send, and wait for the process to end. */
  void stopProxy() throws InterruptedException {
    signalProxy();
    awaitProxyExit();
  }

  /** SIGTERM only: the proxy fails /readyz at once and keeps serving through its delay. */
  void signalProxy() {
    proxy.destroy();
  }

  /** Waits for the stopped proxy's delay and drain to end. */
  void awaitProxyExit() throws InterruptedException {
    if (!proxy.waitFor(45, TimeUnit.SECONDS)) {
      proxy.destroyForcibly().waitFor();
    }
  }

  /** Everything this host's proxy processes have logged so far. */
  String proxyLogs() throws IOException {
    StringBuilder out = new StringBuilder();
    for (int i = 1; i <= starts; i++) {
      out.append(Files.readString(dir.resolve("proxy-" + i + ".log")));
    }
    return out.toString();
  }

  /** GET /v1/status from inside the namespace (the admin port listens on its loopback). */
  JsonNode status() throws Exception {
    String body =
        lab.exec(
            ns,
            java(
                "dev.fulcrum.proxy.testing.StatusProbe",
                "https://127.0.0.1:9443",
                dir.resolve("token").toString(),
                dir.resolve("state").resolve("admin.crt").toString()));
    return WireJson.MAPPER.readTree(body);
  }

  /** The telemetry /metrics text, fetched with bash inside the namespace. */
  String metrics() throws Exception {
    return lab.exec(
        ns,
        "timeout",
        "10",
        "/bin/bash",
        "-c",
        "exec 3<>/dev/tcp/127.0.0.1/9100 && printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3"
            + " && cat <&3");
  }

  /** A small JVM on the test classpath plus the shaded jar (Netty). */
  static String[] java(String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    argv.addAll(List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    if (!args[0].equals("-jar")) {
      argv.add("-cp");
      argv.add(
          Path.of("target", "test-classes").toAbsolutePath()
              + ":"
              + Path.of("target", "fulcrum-proxy.jar").toAbsolutePath());
    }
    argv.addAll(List.of(args));
    return argv.toArray(new String[0]);
  }
}
