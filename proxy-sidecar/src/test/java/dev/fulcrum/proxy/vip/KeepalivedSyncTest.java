package dev.fulcrum.proxy.vip;

import static dev.fulcrum.proxy.vip.VipConfigs.withVip;
import static dev.fulcrum.proxy.vip.VipConfigs.withoutVip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.api.LoadBalancerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-off end to end in a temp dir: the proxy writes the instances (as data), the renderer (as
 * root would) turns them into keepalived.conf and the track script; its "reload" appends to a file,
 * so each reload is counted.
 */
class KeepalivedSyncTest {
  private static final Map<String, Integer> PRIO = Map.of("lb-1", 200, "lb-2", 100);

  @TempDir Path dir;
  private final Map<String, LoadBalancerConfig> applied = new HashMap<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private KeepalivedSync sync;

  @AfterEach
  void close() {
    if (sync != null) {
      sync.close();
    }
  }

  private KeepalivedSync sync() {
    return sync(java.time.Duration.ofSeconds(30));
  }

  private KeepalivedSync sync(java.time.Duration grace) {
    sync =
        new KeepalivedSync(
            "lb-1",
            dir.resolve("state").resolve("vrrp-instances.json"),
            URI.create("http://127.0.0.1:9100/readyz"),
            () -> VirtualIp.of(applied),
            result(),
            grace);
    return sync;
  }

  private Path result() {
    return dir.resolve("run").resolve("result.json");
  }

  private Path conf() {
    return dir.resolve("keepalived").resolve("keepalived.conf");
  }

  /** fulcrum-keepalived as its systemd unit runs it. */
  private int render() {
    return KeepalivedRender.run(
        new String[] {
          "--instances", sync.instancesFile().toString(),
          "--config", conf().toString(),
          "--reload-command", "echo reload >> '" + dir.resolve("reloads") + "'",
          "--result", result().toString()
        },
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private long reloads() throws Exception {
    Path log = dir.resolve("reloads");
    return Files.exists(log) ? Files.readAllLines(log).size() : 0;
  }

  @Test
  void theProxyHandsOverDataAndTheRendererWritesKeepalivedsFilesAndReloadsOnce() throws Exception {
    applied.put("default.k3s-api", withVip(6443, "10.10.10.100/24", 51, PRIO));
    KeepalivedSync s = sync();

    assertThat(s.sync()).isTrue();
    assertThat(s.sync()).as("unchanged content is not rewritten").isFalse();
    assertThat(Files.readString(s.instancesFile()))
        .contains("\"virtualIP\" : \"10.10.10.100/24\"", "\"priority\" : 200")
        .doesNotContain("vrrp_instance", "script");
    assertThat(conf()).doesNotExist();

    assertThat(render()).isZero();
    assertThat(render()).as("nothing changed: no second reload").isZero();

    Path script = conf().resolveSibling(KeepalivedSync.SCRIPT_FILE);
    assertThat(Files.readString(conf()))
        .contains("priority 200", "10.10.10.100/24", "script \"" + script + " 10.10.10.100\"");
    assertThat(Files.readString(script)).contains("/dev/tcp/127.0.0.1/9100");
    // keepalived's script security refuses a script that others may write.
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(script)))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(conf())))
        .isEqualTo("rw-------");
    assertThat(reloads()).isEqualTo(1);
    assertThat(dir.resolve("keepalived")).isDirectoryNotContaining("glob:**.tmp");
  }

  @Test
  void aChangedPriorityIsRewrittenAndReloaded() throws Exception {
    applied.put("default.k3s-api", withVip(6443, "10.10.10.100/24", 51, PRIO));
    KeepalivedSync s = sync();
    s.sync();
    render();

    applied.put("default.k3s-api", withVip(6443, "10.10.10.100/24", 51, Map.of("lb-1", 50)));

    assertThat(s.sync()).isTrue();
    assertThat(render()).isZero();
    assertThat(Files.readString(conf()))
        .contains("priority 50")
        .doesNotContain("priority 200"); // not "200": the temporary path may hold it
    assertThat(reloads()).isEqualTo(2);
  }

  @Test
  void withoutAnyVipNothingIsWritten() throws Exception {
    applied.put("default.plain", withoutVip(8080));
    KeepalivedSync s = sync();

    assertThat(s.sync()).isFalse();
    assertThat(s.instancesFile()).doesNotExist();
  }

  @Test
  void removingTheLastVipRendersAFileWithoutInstancesSoTheVipIsReleased() throws Exception {
    applied.put("default.k3s-api", withVip(6443, "10.10.10.100/24", 51, PRIO));
    KeepalivedSync s = sync();
    s.sync();
    render();

    applied.put("default.k3s-api", withoutVip(6443));

    assertThat(s.sync()).isTrue();
    assertThat(render()).isZero();
    assertThat(Files.readString(conf())).doesNotContain("vrrp_instance");
    assertThat(reloads()).isEqualTo(2);
  }

  /**
   * The proxy's user can write the instances file, so the renderer trusts nothing in it: a value
   * that could smuggle a directive or a command into keepalived.conf (run as root) is refused
   * naming the field, and keepalived's files stay as they were.
   */
  @Test
  void anInstancesFileThatCouldInjectIntoKeepalivedIsRefusedAndChangesNothing() throws Exception {
    applied.put("default.k3s-api", withVip(6443, "10.10.10.100/24", 51, PRIO));
    KeepalivedSync s = sync();
    s.sync();
    render();
    String good = Files.readString(s.instancesFile());
    String confBefore = Files.readString(conf());

    Map<String, String> attacks = new java.util.LinkedHashMap<>();
    attacks.put(
        "\"interface\" : \"eth1\"",
        "instances[0].interface: not a plain interface name (got \"eth1\\n}\\nvrrp_script x {\")");
    attacks.put(
        "\"virtualIP\" : \"10.10.10.100/24\"",
        "instances[0].virtualIP: not an address/prefix (got \"10.10.10.100/24\\\" ; touch /x\")");
    attacks.put(
        "\"readyzUrl\" : \"http://127.0.0.1:9100/readyz\"",
        "readyzUrl: has characters a script cannot carry");
    attacks.put("\"priority\" : 200", "instances[0].priority: must be between 1 and 254 (got 255)");
    attacks.put("\"format\" : 1", "not the instances JSON");
    Map<String, String> replacement =
        Map.of(
            "\"interface\" : \"eth1\"",
            "\"interface\" : \"eth1\\n}\\nvrrp_script x {\"",
            "\"virtualIP\" : \"10.10.10.100/24\"",
            "\"virtualIP\" : \"10.10.10.100/24\\\" ; touch /x\"",
            "\"readyzUrl\" : \"http://127.0.0.1:9100/readyz\"",
            "\"readyzUrl\" : \"http://127.0.0.1:9100/readyz$(id)\"",
            "\"priority\" : 200",
            "\"priority\" : 255",
            "\"format\" : 1",
            "\"format\" : 1, \"script\" : \"/bin/sh\"");
    for (Map.Entry<String, String> a : attacks.entrySet()) {
      assertThat(good).contains(a.getKey());
      Files.writeString(s.instancesFile(), good.replace(a.getKey(), replacement.get(a.getKey())));
      err.reset();

      assertThat(render()).as(a.getKey()).isEqualTo(1);
      assertThat(err.toString(StandardCharsets.UTF_8))
          .as(a.getKey())
          .contains(a.getValue())
          .contains("left as it was");
      assertThat(Files.readString(conf())).isEqualTo(confBefore);
    }
    assertThat(reloads()).isEqualTo(1);
  }

  /**
   * The VRRP password goes from the proxy to keepalived.conf only through files no one else may
   * read, and a tampered one is refused without being printed.
   */
  @Test
  void theVrrpPasswordReachesKeepalivedOnlyThroughPrivateFiles() throws Exception {
    applied.put(
        "default.k3s-api",
        VipConfigs.withPassword(withVip(6443, "10.10.10.100/24", 51, PRIO), "k3s-vrrp"));
    KeepalivedSync s = sync();
    s.sync();

    assertThat(render()).isZero();
    assertThat(Files.readString(conf()))
        .contains("  authentication {\n    auth_type PASS\n    auth_pass k3s-vrrp\n  }\n");
    for (Path file : List.of(s.instancesFile(), conf())) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .as(file.toString())
          .isEqualTo("rw-------");
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("k3s-vrrp");
    String confBefore = Files.readString(conf());

    Files.writeString(
        s.instancesFile(),
        Files.readString(s.instancesFile())
            .replace("\"k3s-vrrp\"", "\"x\\n  }\\n  notify /tmp/own\""));
    err.reset();

    assertThat(render()).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("instances[0].authPassword: only for an IPv4 VIP, and must be 1 to 8 characters")
        .doesNotContain("notify");
    assertThat(Files.readString(conf())).isEqualTo(confBefore);
  }

  /** What became of the hand-off comes back to the proxy, for /v1/status and the resource. */
  @Test
  void theProxyLearnsWhetherItsInstancesWereRenderedRefusedOrNeverRead() throws Exception {
    applied.put("default.k3s-api", withVip(6443, "10.10.10.100/24", 51, PRIO));
    KeepalivedSync s = sync(java.time.Duration.ZERO);
    s.sync();

    assertThat(s.problem())
        .isEqualTo(
            "fulcrum-keepalived has not rendered the VRRP instances written to "
                + s.instancesFile()
                + " more than 0 s ago (no "
                + result()
                + "): is fulcrum-keepalived.path enabled?");

    assertThat(render()).isZero();
    assertThat(s.problem()).as("rendered").isNull();

    // Restored from an old state file: two VIPs with one router id, which keepalived refuses.
    applied.put("default.ingress", withVip(443, "10.10.10.101/24", 51, PRIO));
    s.sync();
    assertThat(render()).isEqualTo(1);
    assertThat(s.problem())
        .startsWith(
            "fulcrum-keepalived refused the VRRP instances, keepalived keeps its previous config: "
                + s.instancesFile()
                + ": virtualRouterId 51 on eth1 is used by two VIPs");
    assertThat(Files.readString(conf())).doesNotContain("10.10.10.101");
  }
}
