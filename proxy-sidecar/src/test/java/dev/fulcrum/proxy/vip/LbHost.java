package dev.fulcrum.proxy.vip;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.proxy.api.WireJson;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One lb host of the keepalived test, laid out as deploy/ installs it: the proxy runs as an
 * unprivileged user ({@link #PROXY_UID}, by setpriv) from a root-owned jar, and writes only its
 * state directory; keepalived runs as root on keepalived.conf, which fulcrum-keepalived renders as
 * root from the proxy's instances file. systemd's path unit is played by a thread that runs the
 * shipped unit's ExecStart, paths changed to this host's, whenever that file changes.
 */
final class LbHost implements AutoCloseable {
  private static final String TOKEN = "vip-it-token-7c1d";

  /** The proxy's user (the container image's too); no passwd entry is needed. */
  static final int PROXY_UID = 65532;

  private static final Path RENDER_UNIT = Path.of("../deploy/systemd/fulcrum-keepalived.service");

  final String name;
  final String ns;
  private final NetnsLab lab;
  private final Path dir;
  private Process proxy;
  private int starts;
  private String ingress = "";
  private String unicastPeers = "null";
  private String preemptDelay = "null";
  private String vrrpPassword = "null";
  private final Path jar;
  private Thread pathUnit;
  private volatile boolean closed;
  private volatile WatchService watching;

  LbHost(NetnsLab lab, String name, String ns, Path dir) throws IOException {
    this.lab = lab;
    this.name = name;
    this.ns = ns;
    this.dir = Files.createDirectories(dir);
    // Every directory above is root's and searchable; the proxy owns only its state directory
    // and reads its token.
    for (Path d = dir;
        d != null && !d.equals(Path.of("/tmp")) && d.getParent() != null;
        d = d.getParent()) {
      Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Path state = Files.createDirectories(dir.resolve("state"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
    Files.setAttribute(state, "unix:uid", PROXY_UID);
    Files.setAttribute(state, "unix:gid", PROXY_UID);
    Path token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("r--------"));
    Files.setAttribute(token, "unix:uid", PROXY_UID);
    Files.createDirectories(dir.resolve("keepalived"));
    jar = Files.copy(Path.of("target", "fulcrum-proxy.jar"), dir.resolve("fulcrum-proxy.jar"));
    writeConfig("{lb-1: 200, lb-2: 100}");
  }

  /** fulcrum-keepalived's --result, root's, readable by the proxy. */
  Path resultFile() {
    return dir.resolve("keepalived-result.json");
  }

  Path instancesFile() {
    return dir.resolve("state").resolve("vrrp-instances.json");
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

  /**
   * VRRP over unicast between lb-1 and lb-2 from the next start on (as `frontend.unicast`),
   * authenticated with {@code password} (as `frontend.vrrpPasswordKey`).
   */
  void useUnicast(String password) throws IOException {
    unicastPeers = "{lb-1: 192.0.2.11, lb-2: 192.0.2.12}";
    vrrpPassword = password;
    writeConfig("{lb-1: 200, lb-2: 100}");
  }

  /**
   * Adds an IPv6 load balancer, default.k3s-api-v6: the IPv4 one's port, 6443, on VIP fd00::100
   * (router id 52), with the default bind (::, narrowed to IPv6 by its VIP), in front of the echo
   * server on [fd00::20]:7000.
   */
  void addIpv6() throws IOException {
    ingress =
        """
          - id: default.k3s-api-v6
            frontend:
              port: 6443
              virtualIP: fd00::100/64
              interface: eth1
              virtualRouterId: 52
              priorities: {lb-1: 200, lb-2: 100}
            healthCheck: {mode: TCP, intervalSeconds: 1, rise: 1, fall: 2}
            backends:
              - {name: echo6, address: "fd00::20", port: 7000}
        """;
    writeConfig("{lb-1: 200, lb-2: 100}");
  }

  /** keepalived's preempt_delay from the next start on (as `frontend.preemptDelaySeconds`). */
  void usePreemptDelay(int seconds) throws IOException {
    preemptDelay = Integer.toString(seconds);
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
          instancesFile: "%s"
          resultFile: "%s"
        loadBalancers:
          - id: default.k3s-api
            frontend:
              port: 6443
              virtualIP: 192.0.2.100/24
              interface: eth1
              virtualRouterId: 51
              priorities: %s
              unicastPeers: %s
              preemptDelaySeconds: %s
              vrrpPassword: %s
            healthCheck: {mode: TCP, intervalSeconds: 1, rise: 1, fall: 2}
            backends:
              - {name: echo, address: 192.0.2.20, port: 7000}
        %s"""
            .formatted(
                name,
                dir.resolve("token"),
                dir.resolve("state"),
                instancesFile(),
                resultFile(),
                priorities,
                unicastPeers,
                preemptDelay,
                vrrpPassword,
                ingress));
  }

  Path keepalivedConf() {
    return dir.resolve("keepalived").resolve("keepalived.conf");
  }

  /**
   * Starts the proxy, waits for its instances, renders keepalived.conf from them (the boot run of
   * fulcrum-keepalived.service), starts keepalived on it and the path unit's watch.
   */
  void start() throws Exception {
    startProxy();
    await(name + " hands over its VRRP instances")
        .atMost(Duration.ofSeconds(90))
        .until(() -> Files.exists(instancesFile()));
    String handedOver = Files.readString(instancesFile());
    render();
    pathUnit = new Thread(() -> watch(handedOver), name + "-fulcrum-keepalived.path");
    pathUnit.setDaemon(true);
    pathUnit.start();
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

  /** The proxy as its unit runs it: its own unprivileged user, no new privileges. */
  void startProxy() throws IOException {
    starts++;
    List<String> argv =
        new ArrayList<>(
            List.of(
                "setpriv",
                "--reuid=" + PROXY_UID,
                "--regid=" + PROXY_UID,
                "--clear-groups",
                "--no-new-privs",
                "--"));
    argv.addAll(
        List.of(java("-jar", jar.toString(), "--config", dir.resolve("proxy.yaml").toString())));
    proxy = lab.spawn(ns, dir.resolve("proxy-" + starts + ".log"), argv.toArray(new String[0]));
  }

  /** The uid the proxy process runs as, from /proc. */
  String proxyUid() throws IOException {
    return Files.readAllLines(Path.of("/proc", Long.toString(proxy.pid()), "status")).stream()
        .filter(l -> l.startsWith("Uid:"))
        .map(l -> l.split("\\s+")[1])
        .findFirst()
        .orElseThrow();
  }

  /** fulcrum-keepalived.service's ExecStart with this host's paths, run as root. */
  void render() throws Exception {
    String execStart =
        Files.readAllLines(RENDER_UNIT).stream()
            .filter(l -> l.startsWith("ExecStart="))
            .findFirst()
            .orElseThrow()
            .substring("ExecStart=".length());
    List<String> argv = new ArrayList<>();
    for (String word : execStart.trim().split("\\s+")) {
      argv.add(
          switch (word) {
            case "/usr/bin/java" ->
                Path.of(System.getProperty("java.home"), "bin", "java").toString();
            case "/opt/fulcrum/fulcrum-proxy.jar" -> jar.toString();
            case "/var/lib/fulcrum/vrrp-instances.json" -> instancesFile().toString();
            case "/etc/keepalived/keepalived.conf" -> keepalivedConf().toString();
            case "/run/keepalived.pid" -> dir.resolve("keepalived.pid").toString();
            case "/run/fulcrum-keepalived/result.json" -> resultFile().toString();
            default -> word;
          });
    }
    Process p =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("render.log").toFile()))
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
  }

  /**
   * systemd's PathChanged=, with inotify as systemd has it: a render whenever the instances file is
   * replaced or written with new content.
   */
  private void watch(String rendered) {
    String last = rendered;
    try (WatchService inotify = FileSystems.getDefault().newWatchService()) {
      watching = inotify;
      instancesFile()
          .getParent()
          .register(
              inotify, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
      while (!closed) {
        WatchKey key = inotify.take();
        key.pollEvents();
        key.reset();
        String now = Files.exists(instancesFile()) ? Files.readString(instancesFile()) : null;
        if (now != null && !now.equals(last)) {
          last = now;
          render();
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // the host is closed
    } catch (Exception e) {
      throw new IllegalStateException(name + ": the path unit's watch failed", e);
    }
  }

  /** What fulcrum-keepalived printed and logged, every run. */
  String renderLogs() throws IOException {
    Path log = dir.resolve("render.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  @Override
  public void close() {
    closed = true;
    try {
      if (watching != null) {
        watching.close();
      }
    } catch (IOException e) {
      // closing the test's watch
    }
    if (pathUnit != null) {
      pathUnit.interrupt();
    }
  }

  /** SIGTERM, as {@code systemctl stop} would send, and wait for the process to end. */
  void stopProxy() throws InterruptedException {
    signalProxy();
    awaitProxyExit();
  }

  /** kill -9: no stop sequence at all, as when the JVM crashes or the OOM killer strikes. */
  void killProxy() throws InterruptedException {
    proxy.destroyForcibly().waitFor();
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
