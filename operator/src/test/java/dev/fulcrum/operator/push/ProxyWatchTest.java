package dev.fulcrum.operator.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.operator.testing.RealProxy;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One proxy's change stream as the operator keeps it: what it is told, and how fast. */
class ProxyWatchTest {
  private static final String TOKEN = "watch-token-0123456789";
  private final Pki.Issued ca = TestPki.authority("admin-ca");
  private final ProxyClient client = new ProxyClient(Duration.ofSeconds(1), Duration.ofSeconds(2));
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final List<String> told = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> open = new ArrayList<>();
  @TempDir Path dir;

  @AfterEach
  void close() throws Exception {
    java.util.Collections.reverse(open);
    for (AutoCloseable c : open) {
      c.close();
    }
    timer.shutdownNow();
  }

  private ProxyWatch watch(String endpoint, Duration silence) {
    ProxyWatch w =
        new ProxyWatch(
            client,
            new ProxyTarget("lb-1", endpoint),
            new ProxyCredentials(TOKEN, ca.certificatePem()),
            timer,
            (up, why) -> told.add(up ? "up" : "down: " + why),
            silence);
    open.add(w);
    return w.start();
  }

  @Test
  void aChangeOnTheProxyAndItsLossAndReturnAreEachToldOnce() throws Exception {
    RealProxy proxy = new RealProxy("lb-1", "127.0.0.1", ca, TOKEN, dir);
    open.add(proxy);
    ProxyWatch w = watch(proxy.endpoint(), ProxyWatch.SILENCE);
    await().atMost(Duration.ofSeconds(10)).until(() -> told.equals(List.of("up")));
    assertThat(w.reachable()).isTrue();

    proxy.vipHeld(true); // what /v1/status reports changed
    await().atMost(Duration.ofSeconds(5)).until(() -> told.size() == 2);
    assertThat(told.get(1)).isEqualTo("up");

    proxy.stopAdmin();
    await().atMost(Duration.ofSeconds(5)).until(() -> told.size() == 3);
    assertThat(told.get(2)).startsWith("down: watch of lb-1 (" + proxy.endpoint() + ") failed");
    assertThat(w.reachable()).isFalse();

    proxy.startAdmin();
    await().atMost(Duration.ofSeconds(10)).until(() -> told.size() == 4);
    assertThat(told.get(3)).isEqualTo("up");
    // Heartbeats with an unchanged revision tell nothing more.
    await()
        .during(Duration.ofMillis(2500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> told.size() == 4);
  }

  @Test
  void aProxyThatAcceptsButSaysNothingIsToldAsLostAfterTheSilence() throws Exception {
    ServerSocket mute = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    open.add(mute);
    List<Socket> held = new CopyOnWriteArrayList<>();
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  held.add(mute.accept()); // accepted, never answered: a hung host
                }
              } catch (Exception closed) {
                // the test is over
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();
    open.add(() -> held.forEach(s -> close(s)));

    watch("https://127.0.0.1:" + mute.getLocalPort(), Duration.ofMillis(600));
    await().atMost(Duration.ofSeconds(10)).until(() -> !told.isEmpty());
    assertThat(told.get(0)).endsWith("failed: no word from it for 600 ms");
  }

  private static void close(Socket s) {
    try {
      s.close();
    } catch (Exception ignored) {
      // closing a test socket
    }
  }
}
