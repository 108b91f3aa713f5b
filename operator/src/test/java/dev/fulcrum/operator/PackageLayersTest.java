package dev.fulcrum.operator;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.testing.PackageLayers;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operator's packages, top to bottom, as operator/README.md draws them. */
class PackageLayersTest {
  static final Map<String, Integer> LAYERS =
      Map.ofEntries(
          entry("", 0), // OperatorMain, settings, leader election, the install check
          entry("reconcile", 1),
          entry("status", 2),
          entry("telemetry", 2),
          entry("push", 3),
          entry("desired", 4),
          entry("crd", 5));

  @Test
  void everyPackageRefersOnlyToPackagesBelowIt() {
    assertThat(
            PackageLayers.violations(
                Path.of("src/main/java"), "dev.fulcrum.operator", LAYERS, List.of()))
        .isEmpty();
  }
}
