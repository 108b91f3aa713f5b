package dev.fulcrum.proxy;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.testing.PackageLayers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proxy's packages, top to bottom, as proxy-sidecar/README.md draws them. */
class PackageLayersTest {
  static final Map<String, Integer> LAYERS =
      Map.ofEntries(
          entry("", 0), // ProxyMain, StopSequence
          entry("admin", 1),
          entry("telemetry", 1),
          entry("config", 2),
          entry("engine", 2),
          entry("http", 2),
          entry("metrics", 3),
          entry("health", 4),
          entry("store", 5),
          entry("vip", 4),
          entry("net.channel", 5),
          entry("net.uring", 5),
          entry("tls", 5),
          entry("net", 6),
          entry("balance", 7));

  @Test
  void everyPackageRefersOnlyToPackagesBelowIt() {
    assertThat(
            PackageLayers.violations(
                Path.of("src/main/java"), "dev.fulcrum.proxy", LAYERS, List.of("api")))
        .isEmpty();
  }

  @Test
  void aReferenceUpOrAcrossIsReported(@TempDir Path src) throws Exception {
    write(src, "x/net/Low.java", "package x.net;\nclass Low { x.engine.High up; }\n");
    write(src, "x/engine/High.java", "package x.engine;\nimport x.net.Low;\nclass High {}\n");
    write(src, "x/admin/A.java", "package x.admin;\nimport x.telemetry.T;\nclass A {}\n");
    write(src, "x/telemetry/T.java", "package x.telemetry;\npublic class T {}\n");

    assertThat(
            PackageLayers.violations(
                src, "x", Map.of("admin", 0, "telemetry", 0, "engine", 1, "net", 2), List.of()))
        .containsExactly("admin -> telemetry (A.java)", "net -> engine (Low.java)");
  }

  private static void write(Path root, String file, String text) throws Exception {
    Path p = root.resolve(file);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }
}
