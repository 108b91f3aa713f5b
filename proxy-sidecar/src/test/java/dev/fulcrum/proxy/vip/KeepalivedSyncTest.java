package dev.fulcrum.proxy.vip;

import static dev.fulcrum.proxy.vip.VipConfigs.withVip;
import static dev.fulcrum.proxy.vip.VipConfigs.withoutVip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.ProxyConfig;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes to a temp dir; the "reload" appends to a file, so each reload is counted. */
class KeepalivedSyncTest {
  private static final Map<String, Integer> PRIO = Map.of("lb-1", 200, "lb-2", 100);

  @TempDir Path dir;
  private final Map<String, LoadBalancerConfig> applied = new HashMap<>();
  private KeepalivedSync sync;

  @AfterEach
  void close() {
    if (sync != null) {
      sync.close();
    }
  }

  private KeepalivedSync sync() {
    ProxyConfig.Keepalived settings =
        new ProxyConfig.Keepalived(
            dir.resolve("keepalived").resolve("keepalived.conf").toString(),
            null,
            "echo reload >> '" + dir.resolve("reloads") + "'",
            null);
    sync =
        new KeepalivedSync(
            "lb-1",
            settings,
            URI.create("http://127.0.0.1:9100/readyz"),
            () -> VirtualIp.of(applied));
    return sync;
  }

  private long reloads() throws Exception {
    Path log = dir.resolve("reloads");
    return Files.exists(log) ? Files.readAllLines(log).size() : 0;
  }

  @Test
  void aVipIsWrittenWithItsTrackScriptAndKeepalivedReloadedOnce() throws Exception {
    applied.put("default.k3s-api", withVip(6443, "10.10.10.100/24", 51, PRIO));
    KeepalivedSync s = sync();

    assertThat(s.sync()).isTrue();
    assertThat(s.sync()).as("unchanged content is not rewritten").isFalse();

    Path conf = s.configPath();
    Path script = conf.resolveSibling(KeepalivedSync.SCRIPT_FILE);
    assertThat(Files.readString(conf))
        .contains("priority 200", "10.10.10.100/24", "script \"" + script + " 10.10.10.100\"");
    assertThat(Files.readString(script)).contains("/dev/tcp/127.0.0.1/9100");
    // keepalived's script security refuses a script that others may write.
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(script)))
        .isEqualTo("rwx------");
    assertThat(reloads()).isEqualTo(1);
    assertThat(dir.resolve("keepalived")).isDirectoryNotContaining("glob:**.tmp");
  }

  @Test
  void aChangedPriorityIsRewrittenAndReloaded() throws Exception {
    applied.put("default.k3s-api", withVip(6443, "10.10.10.100/24", 51, PRIO));
    KeepalivedSync s = sync();
    s.sync();

    applied.put("default.k3s-api", withVip(6443, "10.10.10.100/24", 51, Map.of("lb-1", 50)));

    assertThat(s.sync()).isTrue();
    assertThat(Files.readString(s.configPath()))
        .contains("priority 50")
        .doesNotContain("priority 200"); // not "200": the temporary path may hold it
    assertThat(reloads()).isEqualTo(2);
  }

  @Test
  void withoutAnyVipNothingIsWrittenAndKeepalivedIsLeftAlone() throws Exception {
    applied.put("default.plain", withoutVip(8080));
    KeepalivedSync s = sync();

    assertThat(s.sync()).isFalse();
    assertThat(s.configPath()).doesNotExist();
    assertThat(reloads()).isZero();
  }

  @Test
  void removingTheLastVipWritesAFileWithoutInstancesSoTheVipIsReleased() throws Exception {
    applied.put("default.k3s-api", withVip(6443, "10.10.10.100/24", 51, PRIO));
    KeepalivedSync s = sync();
    s.sync();

    applied.put("default.k3s-api", withoutVip(6443));

    assertThat(s.sync()).isTrue();
    assertThat(Files.readString(s.configPath())).doesNotContain("vrrp_instance");
    assertThat(reloads()).isEqualTo(2);
  }
}
