package dev.fulcrum.proxy.vip;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces made for one test run: a bridge inside its own namespace (the host's
 * interfaces are never touched) and hosts attached to it by veth pairs, each seeing its end as
 * {@code eth1}. Processes started here are stopped, and the namespaces deleted, on close.
 */
final class NetnsLab implements AutoCloseable {
  static final String IP = firstExisting("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip");
  static final String KEEPALIVED =
      firstExisting("/usr/sbin/keepalived", "/sbin/keepalived", "/usr/bin/keepalived");

  private final String prefix = "fv" + UUID.randomUUID().toString().substring(0, 6);
  private final List<String> namespaces = new ArrayList<>();
  private final List<Process> processes = Collections.synchronizedList(new ArrayList<>());
  private final String bridge;

  /** Skips the calling test, saying why, where namespaces with keepalived cannot be made. */
  static void assumeUsable() throws Exception {
    assumeTrue(IP != null, "no `ip` command (iproute2): cannot make network namespaces");
    assumeTrue(KEEPALIVED != null, "keepalived is not installed (apt-get install keepalived)");
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "no /bin/bash for the track script");
    Process id = new ProcessBuilder("id", "-u").start();
    String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assumeTrue(uid.equals("0"), "not root (uid " + uid + "): cannot make network namespaces");
  }

  /** Creates the bridge namespace with {@code br0} at {@code bridgeCidr}. */
  NetnsLab(String bridgeCidr) throws Exception {
    bridge = create("br");
    try {
      run(IP, "-n", bridge, "link", "add", "br0", "type", "bridge");
      run(IP, "-n", bridge, "addr", "add", bridgeCidr, "dev", "br0");
      run(IP, "-n", bridge, "link", "set", "br0", "up");
    } catch (IOException e) {
      close();
      assumeTrue(false, "cannot make a bridge in a namespace here: " + e.getMessage());
    }
  }

  /**
   * A namespace named after {@code role}, wired to the bridge as {@code eth1} with {@code cidr}.
   */
  String host(String role, String cidr) throws Exception {
    String ns = create(role);
    String port = "v-" + role;
    run(IP, "-n", bridge, "link", "add", port, "type", "veth", "peer", "name", "eth1", "netns", ns);
    run(IP, "-n", bridge, "link", "set", port, "master", "br0", "up");
    run(IP, "-n", ns, "addr", "add", cidr, "dev", "eth1");
    run(IP, "-n", ns, "link", "set", "eth1", "up");
    return ns;
  }

  String bridgeNamespace() {
    return bridge;
  }

  private String create(String role) throws Exception {
    String ns = prefix + "-" + role;
    try {
      run(IP, "netns", "add", ns);
    } catch (IOException e) {
      assumeTrue(false, "cannot make network namespaces here: " + e.getMessage());
    }
    namespaces.add(ns);
    run(IP, "-n", ns, "link", "set", "lo", "up");
    return ns;
  }

  /** Starts {@code command} inside {@code ns}, output to {@code log}; stopped on close. */
  Process spawn(String ns, Path log, String... command) throws IOException {
    List<String> argv = new ArrayList<>(List.of(IP, "netns", "exec", ns));
    argv.addAll(List.of(command));
    Process p =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    processes.add(p);
    return p;
  }

  /** Runs {@code command} inside {@code ns} and returns its output; a non-zero exit throws. */
  String exec(String ns, String... command) throws Exception {
    List<String> argv = new ArrayList<>(List.of(IP, "netns", "exec", ns));
    argv.addAll(List.of(command));
    return run(argv.toArray(new String[0]));
  }

  /**
   * Drops VRRP's multicast group (224.0.0.18) in and out of {@code ns}, as many clouds and switches
   * do; skips the test where nftables is missing.
   */
  void dropMulticastVrrp(String ns) throws Exception {
    String nft = firstExisting("/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft");
    assumeTrue(nft != null, "nftables is not installed (apt-get install nftables)");
    run(IP, "netns", "exec", ns, nft, "add", "table", "ip", "novrrp");
    for (String hook : List.of("input", "output")) {
      run(
          IP,
          "netns",
          "exec",
          ns,
          nft,
          "add",
          "chain",
          "ip",
          "novrrp",
          hook,
          "{ type filter hook " + hook + " priority 0 ; }");
      run(
          IP,
          "netns",
          "exec",
          ns,
          nft,
          "add",
          "rule",
          "ip",
          "novrrp",
          hook,
          "ip",
          "daddr",
          "224.0.0.18",
          "drop");
    }
  }

  /** Whether {@code address} (IPv4 or IPv6) is on one of the interfaces of {@code ns} now. */
  boolean hasAddress(String ns, String address) throws Exception {
    return run(IP, "-n", ns, "-o", "addr", "show").contains(" " + address + "/");
  }

  /** Adds an address to {@code dev} in {@code ns}; an IPv6 one without duplicate detection. */
  void addAddress(String ns, String cidr, String dev) throws Exception {
    if (cidr.contains(":")) {
      run(IP, "-n", ns, "addr", "add", cidr, "dev", dev, "nodad");
    } else {
      run(IP, "-n", ns, "addr", "add", cidr, "dev", dev);
    }
  }

  /** Connects from {@code ns} with bash's /dev/tcp and returns the first line the server sends. */
  String firstLine(String ns, String host, int port) throws Exception {
    return exec(
            ns,
            "timeout",
            "10",
            "/bin/bash",
            "-c",
            "exec 3<>/dev/tcp/"
                + host
                + "/"
                + port
                + " && IFS= read -r -t 5 line <&3"
                + " && echo \"$line\"")
        .trim();
  }

  static String run(String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", argv) + " failed: " + out.trim());
    }
    return out;
  }

  @Override
  public void close() {
    synchronized (processes) {
      processes.forEach(Process::destroy);
      for (Process p : processes) {
        try {
          if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    for (String ns : namespaces) {
      try {
        run(IP, "netns", "del", ns);
      } catch (Exception e) {
        System.err.println("cannot delete namespace " + ns + ": " + e.getMessage());
      }
    }
  }

  private static String firstExisting(String... paths) {
    for (String p : paths) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    return null;
  }
}
