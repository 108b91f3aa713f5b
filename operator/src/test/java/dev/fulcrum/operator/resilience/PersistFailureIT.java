package dev.fulcrum.operator.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.operator.status.Conditions;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.operator.testing.TestCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 7: a proxy that cannot persist refuses the push with a 5xx naming the cause, keeps
 * serving its old backends, and the operator shows Degraded with that cause until the disk is
 * fixed.
 */
@EnableKubernetesMockClient(crud = true)
class PersistFailureIT {
  private static final String TOKEN = "resilience-token-4b9f2e61d7";
  static KubernetesClient client;

  @TempDir Path dir;
  SeedTopology seed;

  @BeforeEach
  void start() throws Exception {
    seed = new SeedTopology(client, dir, TOKEN);
  }

  @AfterEach
  void stop() {
    seed.close();
  }

  @Test
  void aProxyThatCannotWriteItsStateIsDegradedNamingTheFileAndKeepsItsOldBackends()
      throws Exception {
    seed.startSynced();
    // A directory where the state file belongs fails every write, even as root (chmod would not).
    Path stateFile = dir.resolve("lb-2").resolve("state").resolve("state.json");
    Files.delete(stateFile);
    Files.createDirectories(stateFile.resolve("blocker"));

    seed.cluster.put(Nodes.server("server-3", "127.0.0.13").ready(false).build());

    Condition degraded =
        seed.cluster.awaitCondition(SeedTopology.NAME, Conditions.DEGRADED, "True", "PushFailed");
    assertThat(degraded.getMessage())
        .contains("push to lb-2 (" + seed.lb2.endpoint() + ") failed: 500")
        .contains("cannot persist the state file, config not applied")
        .contains(stateFile.toString())
        .doesNotContain("lb-1 (");
    assertThat(seed.cluster.status(SeedTopology.NAME).proxies)
        .filteredOn(p -> p.name.equals("lb-2"))
        .singleElement()
        .satisfies(p -> assertThat(p.state).isEqualTo("Failed"));
    await()
        .atMost(TestCluster.PATIENCE)
        .until(() -> seed.lb1.served(SeedTopology.ID).equals(List.of("server-1", "server-2")));
    assertThat(seed.lb2.served(SeedTopology.ID))
        .containsExactly("server-1", "server-2", "server-3");
    assertThat(seed.reachedThrough(seed.lb2)).contains("server-1", "server-2");

    Files.delete(stateFile.resolve("blocker"));
    Files.delete(stateFile);

    seed.cluster.awaitCondition(SeedTopology.NAME, Conditions.READY, "True", "Synced");
    seed.awaitEverywhere("server-1", "server-2");
    assertThat(stateFile).isRegularFile();
    assertNoTokenInStatusOrEvents();
  }

  private void assertNoTokenInStatusOrEvents() {
    String status =
        io.fabric8.kubernetes.client.utils.Serialization.asJson(
            seed.cluster.status(SeedTopology.NAME));
    assertThat(status).doesNotContain(TOKEN);
    List<String> events =
        client.v1().events().inNamespace(Resources.NAMESPACE).list().getItems().stream()
            .map(e -> e.getReason() + ": " + e.getMessage())
            .toList();
    assertThat(events).anyMatch(e -> e.contains("cannot persist the state file"));
    assertThat(events).noneMatch(e -> e.contains(TOKEN));
  }
}
