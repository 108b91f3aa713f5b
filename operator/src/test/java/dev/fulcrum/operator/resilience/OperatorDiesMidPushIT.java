package dev.fulcrum.operator.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.operator.status.Conditions;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.RealProxy;
import dev.fulcrum.operator.testing.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 3: the operator is stopped right after a server leaves, in the middle of pushing to two
 * proxies; each proxy holds exactly one whole version (old or new, never a mix of backends), and
 * the next leader, with a higher epoch, converges both.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorDiesMidPushIT {
  private static final String TOKEN = "mid-push-token-5e2a";
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
  void eachProxyHoldsOneWholeVersionWhenTheOperatorDiesAndTheNextLeaderConvergesBoth()
      throws Exception {
    seed.startSynced();
    // The backends each applied version stands for, learned as versions converge.
    Map<String, List<String>> backendsOf = new HashMap<>();
    backendsOf.put(
        seed.lb1.status(SeedTopology.ID).appliedVersion(),
        List.of("server-1", "server-2", "server-3"));
    List<String> splits = new ArrayList<>();
    List<List<String>> sets =
        List.of(
            List.of("server-1", "server-2"),
            List.of("server-1", "server-2", "server-3"),
            List.of("server-2", "server-3"),
            List.of("server-1", "server-2", "server-3"));

    for (int round = 0; round < sets.size(); round++) {
      List<String> next = sets.get(round);
      boolean betweenTheTwo = round == 2;
      if (betweenTheTwo) {
        seed.lb2.stopAdmin(); // so this round surely dies after lb-1's PUT and before lb-2's
      }
      for (int i = 1; i <= 3; i++) {
        boolean ready = next.contains("server-" + i);
        seed.cluster.put(Nodes.server("server-" + i, "127.0.0.1" + i).ready(ready).build());
      }
      if (betweenTheTwo) {
        await()
            .atMost(TestCluster.PATIENCE)
            .until(() -> seed.lb1.served(SeedTopology.ID).equals(next));
      }
      // Leaving servers are pushed at once: stopping now lands before, during or after the PUTs.
      seed.cluster.stopOperator();
      if (betweenTheTwo) {
        seed.lb2.startAdmin();
      }

      for (RealProxy p : List.of(seed.lb1, seed.lb2)) {
        String version = p.status(SeedTopology.ID).appliedVersion();
        List<String> served = p.served(SeedTopology.ID);
        List<String> known = backendsOf.get(version);
        if (known != null) {
          assertThat(served).as("%s serves its version's backends", p.host()).isEqualTo(known);
        } else {
          assertThat(served).as("%s: a new version holds the new set", p.host()).isEqualTo(next);
          backendsOf.put(version, next);
        }
      }
      String v1 = seed.lb1.status(SeedTopology.ID).appliedVersion();
      String v2 = seed.lb2.status(SeedTopology.ID).appliedVersion();
      if (!v1.equals(v2)) {
        splits.add("round " + round);
      }

      seed.epoch.incrementAndGet(); // the next leader
      seed.cluster.startOperator(seed.epoch::get);
      seed.awaitEverywhere(next.toArray(String[]::new));
      seed.cluster.awaitCondition(SeedTopology.NAME, Conditions.READY, "True", "Synced");
      long epoch = seed.epoch.get();
      await()
          .atMost(TestCluster.PATIENCE)
          .untilAsserted(
              () -> {
                assertThat(seed.lb1.status(SeedTopology.ID).appliedVersion())
                    .isEqualTo(seed.lb2.status(SeedTopology.ID).appliedVersion());
                assertThat(seed.lb1.fence(SeedTopology.ID)).isEqualTo(epoch);
              });
      backendsOf.put(seed.lb1.status(SeedTopology.ID).appliedVersion(), next);
    }
    assertThat(splits).as("the round that died between the two PUTs").contains("round 2");
    System.out.printf(
        "operator stopped mid-push in %d rounds; proxies held different whole versions after %s%n",
        sets.size(), splits.isEmpty() ? "no round" : splits);
  }
}
