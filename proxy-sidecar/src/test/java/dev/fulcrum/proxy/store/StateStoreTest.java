package dev.fulcrum.proxy.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.testing.TestConfigs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
  @TempDir Path dir;

  private static LoadBalancerConfig lb(int port, String... addresses) {
    List<BackendConfig> backends =
        Stream.of(addresses).map(a -> new BackendConfig("server-" + a, a, 6443)).toList();
    return TestConfigs.config(port, 3, backends).stamped(3);
  }

  private final Map<String, LoadBalancerConfig> state =
      Map.of(
          "fulcrum-system.k3s-api", lb(6443, "127.0.0.50", "127.0.0.51"),
          "fulcrum-system.other", lb(7443, "127.0.0.60"));

  /** Every load balancer of {@link #state} fenced at {@code epoch}, and a deleted one above it. */
  private Map<String, Long> fences(long epoch) {
    Map<String, Long> out = new java.util.TreeMap<>();
    state.keySet().forEach(id -> out.put(id, epoch));
    out.put("fulcrum-system.deleted", epoch + 100);
    return out;
  }

  @Test
  void savedStateLoadsBackUnchangedWithItsFences() throws IOException {
    StateStore store = new StateStore(dir);
    store.save(state, fences(7));

    StateStore.Loaded loaded = new StateStore(dir).load();

    assertThat(loaded.problem()).isNull();
    assertThat(loaded.fences()).as("a deleted load balancer keeps its fence").isEqualTo(fences(7));
    assertThat(loaded.loadBalancers()).isEqualTo(state);
  }

  @Test
  void aFileFromBeforePerLoadBalancerFencesFencesEachAtItsConfigsEpoch() throws IOException {
    StateStore store = new StateStore(dir);
    // As a proxy wrote it before fences were per load balancer: one highestEpoch for all.
    Files.write(
        store.file(),
        dev.fulcrum.proxy.api.WireJson.MAPPER.writeValueAsBytes(
            Map.of("highestEpoch", 9, "loadBalancers", state)));

    StateStore.Loaded loaded = store.load();

    assertThat(loaded.problem()).isNull();
    assertThat(loaded.fences())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("fulcrum-system.k3s-api", 3L, "fulcrum-system.other", 3L));
  }

  @Test
  void stateFileIsOwnerOnlyAndNoTempFileIsLeftBehind() throws IOException {
    StateStore store = new StateStore(dir.resolve("nested"));
    store.save(state, fences(1));
    store.save(Map.of(), fences(2));

    assertThat(Files.getPosixFilePermissions(store.file()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    try (Stream<Path> files = Files.list(store.file().getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("state.json");
    }
    assertThat(store.load().loadBalancers()).isEmpty();
    assertThat(store.load().fences()).isEqualTo(fences(2));
  }

  @Test
  void missingFileIsAFirstStartWithoutProblem() {
    StateStore.Loaded loaded = new StateStore(dir).load();

    assertThat(loaded.loadBalancers()).isEmpty();
    assertThat(loaded.problem()).isNull();
  }

  @Test
  void truncatedFileIsMovedAsideAndReportedWithItsCause() throws IOException {
    StateStore store = new StateStore(dir);
    store.save(state, fences(7));
    byte[] full = Files.readAllBytes(store.file());
    byte[] half = java.util.Arrays.copyOf(full, full.length / 2);
    Files.write(store.file(), half);

    StateStore.Loaded loaded = store.load();

    assertThat(loaded.loadBalancers()).isEmpty();
    Path aside = onlyCorruptFile();
    assertThat(Files.readAllBytes(aside)).isEqualTo(half);
    assertThat(store.file()).doesNotExist();
    assertThat(loaded.problem())
        .contains(store.file().toString())
        .contains("end-of-input")
        .contains("moved to " + aside);
  }

  @Test
  void garbageFileIsMovedAsideAndReportedWithItsCause() throws IOException {
    StateStore store = new StateStore(dir);
    Files.writeString(store.file(), "this is not JSON\n");

    StateStore.Loaded loaded = store.load();

    assertThat(loaded.loadBalancers()).isEmpty();
    Path aside = onlyCorruptFile();
    assertThat(Files.readString(aside)).isEqualTo("this is not JSON\n");
    assertThat(loaded.problem())
        .contains(store.file().toString())
        .contains("not valid state JSON")
        .contains("moved to " + aside);
  }

  @Test
  void fileWithAnInvalidConfigIsMovedAsideNamingTheField() throws IOException {
    StateStore store = new StateStore(dir);
    LoadBalancerConfig badPort =
        TestConfigs.config(70000, 3, List.of(new BackendConfig("s", "127.0.0.50", 6443)));
    store.save(Map.of("fulcrum-system.k3s-api", badPort), fences(3));

    StateStore.Loaded loaded = store.load();

    assertThat(loaded.loadBalancers()).isEmpty();
    assertThat(loaded.problem()).contains("fulcrum-system.k3s-api").contains("frontend.port");
    assertThat(onlyCorruptFile()).exists();
  }

  @Test
  void handEditedConfigThatNoLongerMatchesItsVersionIsRefused() throws IOException {
    StateStore store = new StateStore(dir);
    store.save(state, fences(7));
    String text = Files.readString(store.file(), StandardCharsets.UTF_8);
    Files.writeString(store.file(), text.replace("127.0.0.60", "127.0.0.61"));

    StateStore.Loaded loaded = store.load();

    assertThat(loaded.loadBalancers()).isEmpty();
    assertThat(loaded.problem()).contains("fulcrum-system.other").contains("version");
  }

  @Test
  void saveWhereTheStateDirCannotExistThrowsNamingThePath() throws IOException {
    Path regularFile = Files.writeString(dir.resolve("not-a-dir"), "x");
    StateStore store = new StateStore(regularFile.resolve("state"));

    assertThatThrownBy(() -> store.save(state, fences(1)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(store.file().toString());
  }

  @Test
  void failedSaveIntoReadOnlyDirLeavesTheOldStateIntact() throws IOException {
    StateStore store = new StateStore(dir);
    store.save(state, fences(7));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
    try {
      assumeFalse(Files.isWritable(dir), "running as root: chmod does not stop writes");
      assertThatThrownBy(() -> store.save(Map.of(), fences(8)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining(store.file().toString());
    } finally {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
    assertThat(store.load().loadBalancers()).isEqualTo(state);
    assertThat(store.load().fences()).isEqualTo(fences(7));
  }

  private Path onlyCorruptFile() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> corrupt =
          files.filter(p -> p.getFileName().toString().startsWith("state.json.corrupt-")).toList();
      assertThat(corrupt).hasSize(1);
      assertThat(corrupt.get(0).getFileName().toString())
          .matches("state\\.json\\.corrupt-\\d{8}T\\d{6}Z");
      return corrupt.get(0);
    }
  }
}
