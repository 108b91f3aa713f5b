package dev.fulcrum.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.api.Balance;
import dev.fulcrum.proxy.api.HealthCheckConfig;
import dev.fulcrum.proxy.api.HealthCheckMode;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.Greetings;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Active TLS checks acting on real proxied TLS sessions, end to end through the frontend. */
class HealthThroughProxyTest {
  @TempDir Path stateDir;
  private ProxyHarness proxy;
  private final List<SSLSocket> clients = new ArrayList<>();

  @AfterEach
  void stop() throws IOException {
    for (SSLSocket s : clients) {
      s.close();
    }
    proxy.close();
  }

  @Test
  void aServerThatStopsCompletingTlsLosesItsSessionsAfterFallChecksAndReturnsAfterRise()
      throws Exception {
    proxy = new ProxyHarness(stateDir);
    EchoBackend a = tls("server-a", "127.0.0.2");
    EchoBackend b = tls("server-b", "127.0.0.3");
    LoadBalancerConfig base = proxy.config(Balance.ROUND_ROBIN, List.of(a, b));
    proxy.apply(
        new LoadBalancerConfig(
            null,
            0L,
            base.frontend(),
            base.balance(),
            new HealthCheckConfig(HealthCheckMode.TLS, 1, 1, 2, 2, 1, null, null, null),
            base.timeouts(),
            base.backends(),
            base.maxConnections(),
            base.rebalance(),
            null));
    List<SSLSocket> onB = new ArrayList<>();
    List<SSLSocket> onA = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      SSLSocket s = connect();
      (Greetings.firstLine(s.getInputStream()).equals("server-b") ? onB : onA).add(s);
    }
    assertThat(onA).hasSize(3);
    assertThat(onB).hasSize(3);

    b.blackHole(true); // its open sessions still work; only new handshakes hang
    await().atMost(Duration.ofSeconds(20)).until(() -> proxy.health("server-b").equals("Down"));

    for (SSLSocket s : onB) {
      s.setSoTimeout(10_000);
      assertThat(s.getInputStream().read())
          .as("session on the down server is closed")
          .isEqualTo(-1);
    }
    for (SSLSocket s : onA) {
      assertThat(roundTrip(s, "still here")).isEqualTo("still here");
    }
    for (int i = 0; i < 4; i++) {
      assertThat(Greetings.firstLine(connect().getInputStream())).isEqualTo("server-a");
    }
    assertThat(proxy.status().backends())
        .filteredOn(x -> x.name().equals("server-b"))
        .singleElement()
        .satisfies(x -> assertThat(x.lastCheckError()).contains("timed out"));

    b.blackHole(false);
    await().atMost(Duration.ofSeconds(20)).until(() -> proxy.health("server-b").equals("Up"));
    List<String> after = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      after.add(Greetings.firstLine(connect().getInputStream()));
    }
    assertThat(after).contains("server-b");
  }

  private EchoBackend tls(String name, String host) {
    EchoBackend b = EchoBackend.startTls(name, host, List.of(host));
    proxy.adopt(b);
    return b;
  }

  private SSLSocket connect() throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
    Socket raw = new Socket(proxy.proxyAddress().getAddress(), proxy.proxyAddress().getPort());
    SSLSocket s =
        (SSLSocket)
            ctx.getSocketFactory()
                .createSocket(
                    raw,
                    proxy.proxyAddress().getHostString(),
                    proxy.proxyAddress().getPort(),
                    true);
    s.setSoTimeout(10_000);
    s.startHandshake();
    clients.add(s);
    return s;
  }

  private static String roundTrip(SSLSocket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
    return new String(s.getInputStream().readNBytes(text.length()), StandardCharsets.UTF_8);
  }
}
