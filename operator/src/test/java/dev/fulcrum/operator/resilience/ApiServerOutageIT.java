package dev.fulcrum.operator.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.operator.status.Conditions;
import dev.fulcrum.operator.testing.Nodes;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 5: the API server goes away (10 s here, not the 30 s, to keep the suite quick;
 * nothing in the proxies depends on the length): both proxies keep serving every server, and the
 * operator picks up a change made after the API server is back without being restarted.
 */
@EnableKubernetesMockClient(crud = true)
class ApiServerOutageIT {
  private static final Duration OUTAGE = Duration.ofSeconds(10);
  static KubernetesClient client;

  @TempDir Path dir;
  SeedTopology seed;

  TcpRelay relay;
  KubernetesClient viaRelay;

  @BeforeEach
  void start() throws Exception {
    URI api = URI.create(client.getConfiguration().getMasterUrl());
    relay = new TcpRelay(new InetSocketAddress(api.getHost(), api.getPort()));
    // The operator reaches the API server only through the relay, which the test can cut.
    viaRelay =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(client.getConfiguration())
                    .withMasterUrl(api.getScheme() + "://127.0.0.1:" + relay.port() + api.getPath())
                    .build())
            .build();
    seed = new SeedTopology(viaRelay, dir, "outage-token-71c3");
  }

  @AfterEach
  void stop() throws Exception {
    relay.listen(); // back, if the test stopped during the outage
    seed.close();
    viaRelay.close();
    relay.close();
  }

  @Test
  void proxiesServeThroughAnApiServerOutageAndTheOperatorRecoversOnItsOwn() throws Exception {
    seed.startSynced();
    relay.cut();
    AtomicInteger connections = new AtomicInteger();
    await()
        .during(OUTAGE)
        .atMost(OUTAGE.multipliedBy(3))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              boolean all =
                  seed.reachedThrough(seed.lb1).size() == 3
                      && seed.reachedThrough(seed.lb2).size() == 3;
              connections.addAndGet(24);
              return all;
            });
    relay.listen();
    long back = System.nanoTime();

    seed.cluster.put(Nodes.server("server-3", "127.0.0.13").ready(false).build());

    await()
        .atMost(Duration.ofSeconds(120))
        .untilAsserted(
            () -> {
              assertThat(seed.lb1.served(SeedTopology.ID)).containsExactly("server-1", "server-2");
              assertThat(seed.lb2.served(SeedTopology.ID)).containsExactly("server-1", "server-2");
            });
    long recoveredMillis = (System.nanoTime() - back) / 1_000_000;
    seed.cluster.awaitCondition(SeedTopology.NAME, Conditions.READY, "True", "Synced");
    System.out.printf(
        "API server down for %d s: %d connections through the proxies, all served; a change made"
            + " after it returned reached both proxies %d ms later%n",
        OUTAGE.toSeconds(), connections.get(), recoveredMillis);
  }
}
