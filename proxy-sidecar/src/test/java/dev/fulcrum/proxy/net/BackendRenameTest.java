package dev.fulcrum.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.Balance;
import dev.fulcrum.proxy.testing.EchoBackend;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backends are keyed by endpoint: a push that names a served address anew (a static entry that a
 * K3s server Node now names) changes no session, only the name in status and metrics.
 */
class BackendRenameTest {
  @TempDir Path stateDir;
  private ProxyHarness proxy;
  private EchoBackend server;
  private TestClient client;

  @BeforeEach
  void start() {
    proxy = new ProxyHarness(stateDir);
    server = proxy.backend("server-1", "127.0.0.2");
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    proxy.close();
  }

  private void serveAs(String name) {
    proxy.apply(
        proxy.configOf(
            Balance.ROUND_ROBIN,
            List.of(new BackendConfig(name, server.host(), server.port())),
            ProxyHarness.Knobs.defaults()));
  }

  @Test
  void aServedAddressNamedAnewKeepsItsSessionsAndHealth() throws Exception {
    serveAs("127.0.0.2");
    client = TestClient.connect(proxy.proxyAddress());
    assertThat(client.greeting()).isEqualTo("server-1");

    serveAs("server-1");

    assertThat(client.roundTrip("still here")).isEqualTo("still here");
    assertThat(server.open()).as("the backend's connections").isEqualTo(1);
    assertThat(proxy.activeByBackend()).containsExactly(java.util.Map.entry("server-1", 1));
    assertThat(proxy.health("server-1")).isEqualTo("Up");
    String metrics = proxy.metrics.scrape();
    assertThat(metrics)
        .contains("backend=\"server-1\"")
        .as("the old name's series are gone")
        .doesNotContain("backend=\"127.0.0.2\"");
  }

  @Test
  void anotherAddressIsAnotherBackend() throws Exception {
    serveAs("server-1");
    client = TestClient.connect(proxy.proxyAddress());
    assertThat(client.greeting()).isEqualTo("server-1");
    EchoBackend other = proxy.backend("server-2", "127.0.0.3");

    proxy.apply(
        proxy.configOf(
            Balance.ROUND_ROBIN,
            List.of(new BackendConfig("server-1", other.host(), other.port())),
            ProxyHarness.Knobs.defaults()));

    assertThat(proxy.status().backends()).extracting(b -> b.address()).containsExactly("127.0.0.3");
    try (TestClient fresh = TestClient.connect(proxy.proxyAddress())) {
      assertThat(fresh.greeting()).as("new clients reach the new address").isEqualTo("server-2");
    }
    assertThat(client.roundTrip("draining")).as("the old one drains").isEqualTo("draining");
  }
}
