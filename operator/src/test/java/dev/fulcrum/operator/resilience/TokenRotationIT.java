package dev.fulcrum.operator.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.operator.status.Conditions;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.Resources;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 11: the admin token is rotated on the lb hosts and then in the Secret with nothing
 * restarted; the mismatch window is reported as 401 naming the proxies, and no token ever shows in
 * a log line, the status or an event.
 */
@EnableKubernetesMockClient(crud = true)
class TokenRotationIT {
  private static final String OLD = "old-token-1f7e9a3c5b2d";
  private static final String NEW = "new-token-8d4b6f0e2a9c";
  static KubernetesClient client;

  @TempDir Path dir;
  CapturedStderr logs;
  SeedTopology seed;

  @BeforeEach
  void start() throws Exception {
    logs = new CapturedStderr();
    seed = new SeedTopology(client, dir, OLD);
  }

  @AfterEach
  void stop() {
    seed.close();
    logs.close();
  }

  @Test
  void aTokenRotatedOnTheHostsThenInTheSecretConvergesWithoutRestartsAndIsNeverShown()
      throws Exception {
    seed.createServersAndLoadBalancer();
    seed.cluster.awaitCondition(SeedTopology.NAME, Conditions.READY, "True", "Synced");

    for (String lb : List.of("lb-1", "lb-2")) {
      // The way a mounted Secret or a config tool changes it: a new file renamed over the old.
      Path next = Files.writeString(dir.resolve(lb).resolve("token.next"), NEW + "\n");
      Files.move(next, dir.resolve(lb).resolve("token"), StandardCopyOption.ATOMIC_MOVE);
    }
    seed.cluster.put(Nodes.server("server-3", "127.0.0.13").ready(false).build());

    String refused =
        seed.cluster
            .awaitCondition(SeedTopology.NAME, Conditions.DEGRADED, "True", "ProxyUnreachable")
            .getMessage();
    assertThat(refused).contains("401 Unauthorized").contains("lb-1 (").contains("lb-2 (");
    assertThat(seed.lb1.served(SeedTopology.ID)).contains("server-3");

    client
        .secrets()
        .resource(Resources.credentials(NEW, seed.ca.certificatePem()))
        .createOr(r -> r.update());

    seed.cluster.awaitCondition(SeedTopology.NAME, Conditions.READY, "True", "Synced");
    seed.awaitEverywhere("server-1", "server-2");
    String status = Serialization.asJson(seed.cluster.status(SeedTopology.NAME));
    List<String> events =
        client.v1().events().inNamespace(Resources.NAMESPACE).list().getItems().stream()
            .map(e -> e.getReason() + ": " + e.getMessage())
            .toList();
    assertThat(events).anyMatch(e -> e.contains("401 Unauthorized"));
    assertThat(logs.text()).contains("refused: 401 (wrong token)");
    for (String token : List.of(OLD, NEW)) {
      assertThat(logs.text()).as("log output").doesNotContain(token);
      assertThat(status).as("status").doesNotContain(token);
      assertThat(events).as("events").noneMatch(e -> e.contains(token));
    }
  }
}
