package dev.fulcrum.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.api.BackendHealth;
import dev.fulcrum.proxy.api.HealthCheckMode;
import dev.fulcrum.proxy.balance.Backend;
import dev.fulcrum.proxy.balance.Connection;
import dev.fulcrum.proxy.net.Transport;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.PingServer;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TlsHealthCheckTest {
  private static Transport transport;

  @BeforeAll
  static void start() {
    transport = new Transport(1, Transport.DEFAULT_KIND);
  }

  @AfterAll
  static void stop() {
    transport.close();
  }

  @Test
  void backendThatNeverFinishesTlsGoesDownAfterFallChecksClosingItsConnectionsAndRisesAgain()
      throws Exception {
    try (EchoBackend echo = EchoBackend.startTls("server-1", "127.0.0.2", List.of("127.0.0.2"));
        HealthMonitor monitor = new HealthMonitor("lb-test", transport)) {
      Backend backend = Checks.backend("server-1", echo.host(), echo.port());
      List<Client> clients = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        clients.add(Client.connect(echo, backend, monitor));
      }
      monitor.update(List.of(backend), Checks.config(HealthCheckMode.TLS));
      await().until(() -> monitor.counters(backend).checks() >= 1);
      assertThat(backend.health()).isEqualTo(BackendHealth.UP);

      echo.blackHole(true);
      await().atMost(Duration.ofSeconds(30)).until(() -> backend.health() == BackendHealth.DOWN);

      assertThat(backend.lastCheckError()).isEqualTo("TLS handshake timed out after 1s");
      // markDown sets the health first and closes the connections right after, on the same thread.
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> clients.stream().allMatch(c -> c.socket.isClosed()));
      assertThat(clients)
          .allSatisfy(
              c -> {
                assertThat(c.socket.isClosed()).isTrue();
                assertThat(c.reason).contains("is down");
                assertThat(c.failuresWhenClosed).isEqualTo(Checks.FALL);
              });
      assertThat(backend.activeConnections()).isZero();

      echo.blackHole(false);
      await().atMost(Duration.ofSeconds(30)).until(() -> backend.health() == BackendHealth.UP);
      assertThat(backend.lastCheckError()).isNull();
      assertThat(backend.transitions()).isEqualTo(2);
    }
  }

  @Test
  void tlsCheckRecordsTheSubjectAlternativeNamesTheOperatorComparesWithTheVip() {
    List<String> sans = List.of("127.0.0.1", "10.10.10.100", "server-1");
    try (EchoBackend echo = EchoBackend.startTls("server-1", "127.0.0.3", sans);
        HealthMonitor monitor = new HealthMonitor("lb-test", transport)) {
      Backend backend = Checks.backend("server-1", echo.host(), echo.port());
      assertThat(backend.tlsSans()).isEmpty();

      monitor.update(List.of(backend), Checks.config(HealthCheckMode.TLS));

      await().atMost(Duration.ofSeconds(10)).until(() -> !backend.tlsSans().isEmpty());
      assertThat(backend.tlsSans()).containsExactlyElementsOf(sans);
      assertThat(backend.tlsSans()).contains("10.10.10.100");
    }
  }

  @Test
  void sniIsSentForHostNamesButNotForIpAddresses() {
    try (PingServer server = PingServer.start("127.0.0.1", List.of("localhost"));
        HealthMonitor monitor = new HealthMonitor("lb-test", transport)) {
      Backend byIp = Checks.backend("by-ip", "127.0.0.1", server.port());
      monitor.update(List.of(byIp), Checks.config(HealthCheckMode.HTTPS));
      await().atMost(Duration.ofSeconds(10)).until(() -> server.pings() >= 1);
      assertThat(server.serverNames()).isEmpty();

      // /etc/hosts maps localhost to 127.0.0.1; the name is looked up off the event loop.
      Backend byName = Checks.backend("by-name", "localhost", server.port());
      monitor.update(List.of(byName), Checks.config(HealthCheckMode.HTTPS));
      await().atMost(Duration.ofSeconds(10)).until(() -> !server.serverNames().isEmpty());
      assertThat(server.serverNames()).containsOnly("localhost");
      assertThat(byName.lastCheckError()).isNull();
    }
  }

  /** A real TLS client connection to the backend, registered on it as the data plane would. */
  private static final class Client implements Connection {
    final SSLSocket socket;
    final Backend backend;
    final HealthMonitor monitor;
    volatile String reason;
    volatile long failuresWhenClosed = -1;

    private Client(SSLSocket socket, Backend backend, HealthMonitor monitor) {
      this.socket = socket;
      this.backend = backend;
      this.monitor = monitor;
    }

    static Client connect(EchoBackend echo, Backend backend, HealthMonitor monitor)
        throws Exception {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
      SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket(echo.host(), echo.port());
      String greeting =
          new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
              .readLine();
      assertThat(greeting).isEqualTo(echo.name());
      Client client = new Client(socket, backend, monitor);
      backend.connectionOpened(client);
      return client;
    }

    @Override
    public long openedAtNanos() {
      return 0;
    }

    @Override
    public void close(String why) {
      // Backend.markDown closes connections right after the failing check was counted.
      CheckCounters counters = monitor.counters(backend);
      failuresWhenClosed = counters == null ? -1 : counters.failures();
      reason = why;
      try {
        socket.close();
      } catch (IOException e) {
        // Closing is all we wanted.
      }
      backend.connectionClosed(this);
    }
  }
}
