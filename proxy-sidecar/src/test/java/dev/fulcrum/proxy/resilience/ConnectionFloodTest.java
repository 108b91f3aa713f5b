package dev.fulcrum.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.engine.ProxyEngine;
import dev.fulcrum.proxy.metrics.ProxyMetrics;
import dev.fulcrum.proxy.net.Transport;
import dev.fulcrum.proxy.store.StateStore;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.TestConfigs;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 8: a flood of 300 connections over a limit of 20 is never proxied, the 20 admitted
 * streams lose no byte, and once the flood is gone the proxy serves new clients again.
 */
class ConnectionFloodTest {
  private static final String ID = "fulcrum-system.k3s-api";
  private static final int LIMIT = 20;

  @TempDir Path stateDir;
  private final Transport transport = new Transport(1, Transport.DEFAULT_KIND);
  private final EchoBackend a = EchoBackend.start("server-a", "127.0.0.11");
  private final List<Streams> admitted = new ArrayList<>();
  private final List<Socket> flood = new ArrayList<>();
  private ProxyEngine engine;

  @AfterEach
  void stop() throws IOException {
    admitted.forEach(Streams::close);
    for (Socket s : flood) {
      s.close();
    }
    if (engine != null) {
      engine.close();
    }
    transport.close();
    a.close();
  }

  @Test
  void aFloodOverMaxConnectionsIsNotProxiedAdmittedStreamsLoseNothingAndServiceRecovers()
      throws Exception {
    engine =
        new ProxyEngine(
            "lb-test", "127.0.0.1", transport, new StateStore(stateDir), new ProxyMetrics());
    int port = TestConfigs.freePort();
    LoadBalancerConfig base = TestConfigs.config(port, 1, a);
    engine.apply(
        ID,
        new LoadBalancerConfig(
            null,
            1L,
            base.frontend(),
            base.balance(),
            base.healthCheck(),
            base.timeouts(),
            base.backends(),
            LIMIT,
            base.rebalance(),
            null),
        null);
    InetSocketAddress proxy = new InetSocketAddress("127.0.0.1", port);
    for (int i = 0; i < LIMIT; i++) {
      admitted.add(Streams.open(proxy));
    }
    Random random = new Random(8);

    int connected = 0;
    int timedOut = 0;
    for (int i = 0; i < 300; i++) {
      Socket s = new Socket();
      flood.add(s);
      try {
        s.connect(proxy, 200); // past the kernel's backlog, a connect may not complete at all
        connected++;
      } catch (IOException e) {
        timedOut++;
      }
      if (i % 30 == 0) {
        for (Streams st : admitted) {
          assertThat(st.exchange(payload(random))).as("admitted stream during the flood").isTrue();
        }
      }
    }

    assertThat(engine.status(ID).orElseThrow().activeConnections()).isEqualTo(LIMIT);
    assertThat(a.accepted())
        .as("backend connections (health checks aside)")
        .isLessThanOrEqualTo(LIMIT + 2);
    for (Socket s : flood) {
      if (s.isConnected()) {
        assertThat(s.getInputStream().available()).as("nothing reached a flood client").isZero();
      }
    }
    long sent = admitted.stream().mapToLong(s -> s.sent).sum();
    long echoed = admitted.stream().mapToLong(s -> s.echoed).sum();
    assertThat(echoed).isEqualTo(sent);

    for (Socket s : flood) {
      s.close();
    }
    admitted.forEach(Streams::close);
    admitted.clear();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> engine.status(ID).orElseThrow().activeConnections() == 0);
    // Connections the flood left in the kernel's backlog are accepted (and closed) first; a
    // client landing among them is closed without a greeting, cleanly, and simply retries.
    int[] refusedWhileDraining = {0};
    for (int i = 0; i < LIMIT; i++) {
      Streams fresh =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(
                  () -> {
                    Streams s = Streams.open(proxy);
                    if (s == null) {
                      refusedWhileDraining[0]++;
                    }
                    return s;
                  },
                  s -> s != null);
      admitted.add(fresh);
      assertThat(fresh.server).isEqualTo("server-a");
      assertThat(fresh.exchange(payload(random))).isTrue();
    }
    System.out.printf(
        "flood of 300 over a limit of %d: %d connects completed by the kernel, %d timed out, none"
            + " proxied; %d bytes echoed intact on the admitted streams; %d clients closed"
            + " cleanly while the backlog drained, then %d served%n",
        LIMIT, connected, timedOut, echoed, refusedWhileDraining[0], LIMIT);
  }

  private static byte[] payload(Random random) {
    byte[] p = new byte[1024];
    random.nextBytes(p);
    return p;
  }
}
