package dev.fulcrum.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.Balance;
import dev.fulcrum.proxy.api.FrontendConfig;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.balance.Backend;
import dev.fulcrum.proxy.balance.BackendPool;
import dev.fulcrum.proxy.balance.Balancers;
import dev.fulcrum.proxy.testing.EchoBackend;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrontendServerTest {
  private final Transport transport = new Transport(1, true);
  private final EchoBackend a = EchoBackend.start("a", "127.0.0.2");
  private final EchoBackend b = EchoBackend.start("b", "127.0.0.3");

  @AfterEach
  void stop() {
    a.close();
    b.close();
    transport.close();
  }

  @Test
  void bindingAnAddressInUseThrowsWithTheCause() throws IOException {
    try (FrontendServer first = new FrontendServer("ns.one", transport, pool(a));
        FrontendServer second = new FrontendServer("ns.two", transport, pool(a))) {
      first.bind(new InetSocketAddress("127.0.0.1", 0));
      assertThatThrownBy(() -> second.bind(first.localAddress()))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("in use")
          .hasCauseInstanceOf(Exception.class);
      assertThat(second.listening()).isFalse();
    }
  }

  @Test
  void swapSendsOnlyNewConnectionsToTheNewPool() throws IOException {
    try (FrontendServer server = new FrontendServer("ns.lb", transport, pool(a))) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      try (TestClient before = TestClient.connect(server.localAddress())) {
        assertThat(before.greeting()).isEqualTo("a");

        server.swap(pool(b));

        try (TestClient after = TestClient.connect(server.localAddress())) {
          assertThat(after.greeting()).isEqualTo("b");
        }
        assertThat(before.roundTrip("still on a")).isEqualTo("still on a");
      }
    }
  }

  @Test
  void closeStopsAcceptingButProxiedConnectionsLiveOn() throws IOException {
    FrontendServer server = new FrontendServer("ns.lb", transport, pool(a));
    server.bind(new InetSocketAddress("127.0.0.1", 0));
    InetSocketAddress address = server.localAddress();
    try (TestClient client = TestClient.connect(address)) {
      assertThat(client.greeting()).isEqualTo("a");

      server.close();

      assertThat(server.listening()).isFalse();
      assertThatThrownBy(() -> new Socket(address.getAddress(), address.getPort()).close())
          .isInstanceOf(ConnectException.class);
      assertThat(client.roundTrip("hello")).isEqualTo("hello");
    }
  }

  @Test
  void countsBytesBothWaysDialLatencyAndTheOpenConnection() throws IOException {
    BackendPool pool = pool(a);
    Backend backend = pool.backends().get(0);
    List<Long> dials = new CopyOnWriteArrayList<>();
    backend.dialLatencyRecorder(dials::add);
    try (FrontendServer server = new FrontendServer("ns.lb", transport, pool)) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      try (TestClient client = TestClient.connect(server.localAddress())) {
        assertThat(client.greeting()).isEqualTo("a");
        assertThat(client.roundTrip("0123456789")).isEqualTo("0123456789");
        assertThat(backend.activeConnections()).isEqualTo(1);
        assertThat(server.activeConnections()).isEqualTo(1);
        assertThat(backend.bytesToBackend()).isEqualTo(10);
        assertThat(backend.bytesFromBackend()).isEqualTo("a\n".length() + 10);
        assertThat(dials).hasSize(1).allMatch(nanos -> nanos > 0);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> backend.activeConnections() == 0);
      await().atMost(Duration.ofSeconds(10)).until(() -> server.activeConnections() == 0);
    }
  }

  @Test
  void markingABackendDownClosesItsProxiedConnections() throws IOException {
    BackendPool pool = pool(a);
    try (FrontendServer server = new FrontendServer("ns.lb", transport, pool)) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      try (TestClient client = TestClient.connect(server.localAddress())) {
        assertThat(client.greeting()).isEqualTo("a");
        pool.backends().get(0).markDown("test: health check failed");
        assertThat(client.endedByPeer()).isTrue();
      }
    }
  }

  @Test
  void aClientIsClosedCleanlyOnlyWhenNoBackendAccepts() throws IOException {
    BackendPool pool = pool(a);
    a.kill();
    try (FrontendServer server = new FrontendServer("ns.lb", transport, pool)) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      try (TestClient client = TestClient.connect(server.localAddress())) {
        assertThat(client.endedByPeer()).isTrue();
      }
      Backend backend = pool.backends().get(0);
      assertThat(backend.connectFailures()).isEqualTo(1);
      assertThat(backend.isUp()).isFalse();
      assertThat(backend.activeConnections()).isZero();
    }
  }

  private static BackendPool pool(EchoBackend backend) {
    LoadBalancerConfig config =
        new LoadBalancerConfig(
                null,
                0L,
                new FrontendConfig(1, null, null, null, null),
                Balance.ROUND_ROBIN,
                null,
                null,
                List.of(new BackendConfig(backend.name(), backend.host(), backend.port())),
                null,
                null)
            .normalized();
    return new BackendPool(
        config,
        List.of(new Backend("ns.lb", config.backends().get(0))),
        Balancers.of(Balance.ROUND_ROBIN));
  }
}
