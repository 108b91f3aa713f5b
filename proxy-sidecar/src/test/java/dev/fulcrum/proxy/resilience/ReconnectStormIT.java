package dev.fulcrum.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.ProxyProcess;
import dev.fulcrum.proxy.testing.TestConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reconnect storm through the default data plane of a real proxy process with the shipped JVM
 * flags but far less direct memory and the admission pace off, so the out-of-buffer-memory path is
 * taken: 3,000 clients arrive at once and hold; every one is answered or closed (none left unread),
 * a fresh client is answered meanwhile, and SIGTERM still stops the process within its drain time.
 */
class ReconnectStormIT {
  private static final int CLIENTS = 3_000;
  private static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: b\r\n\r\n".getBytes();

  @TempDir Path dir;
  private final List<Socket> clients = new ArrayList<>();
  private final List<EchoBackend> backends = new ArrayList<>();
  private ProxyProcess proxy;

  @AfterEach
  void stop() throws IOException {
    for (Socket s : clients) {
      s.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    backends.forEach(EchoBackend::close);
  }

  @Test
  void thousandsOfClientsAtOnceAreAllAnsweredWhileDirectMemoryRunsOut() throws Exception {
    for (int i = 1; i <= 3; i++) {
      backends.add(EchoBackend.start("server-" + i, "127.0.0.1" + i));
    }
    int frontend = TestConfigs.freePort();
    StringBuilder lb =
        new StringBuilder(
            """
            shutdownDelaySeconds: 1
            drainSeconds: 3
            loadBalancers:
              - id: storm.k3s-api
                frontend: {port: %d, bind: 127.0.0.1}
                healthCheck: {mode: TCP, intervalSeconds: 10, downIntervalSeconds: 5}
                # Unpaced: the default pace spreads the burst so far that memory never runs out
                # (AdmissionPaceTest covers the pace); this test is about the memory limit.
                admission: {newConnectionsPerSecond: 0}
                backends:
            """
                .formatted(frontend));
    for (EchoBackend b : backends) {
      lb.append(
          "      - {name: %s, address: %s, port: %d}\n".formatted(b.name(), b.host(), b.port()));
    }
    // 4 MiB of direct memory: 256 buffers of 16 KiB for 3,000 clients whose bytes arrive at once.
    proxy =
        ProxyProcess.start(
            dir,
            "storm-token",
            "proxy.log",
            yaml -> yaml + lb,
            List.of("-XX:MaxDirectMemorySize=4m"));
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> greeting(connect(frontend)).startsWith("server-"));

    for (int i = 0; i < CLIENTS; i++) {
      Socket s = connect(frontend);
      clients.add(s);
      s.getOutputStream().write(REQUEST); // every client speaks at once, then waits
    }
    int answered = 0;
    for (Socket s : clients) {
      String got = greeting(s); // its backend's name, or "" when the proxy closed it
      answered += got.startsWith("server-") ? 1 : 0;
    }
    assertThat(answered)
        .as("clients answered (the rest were closed, none left hanging)")
        .isEqualTo(CLIENTS);
    assertThat(waits()).as("receives that found direct memory at its limit").isPositive();

    Socket fresh = connect(frontend);
    fresh.setSoTimeout(5_000);
    assertThat(greeting(fresh)).startsWith("server-");
    fresh.close();

    proxy.terminate();
    OptionalInt exit = proxy.exitCode(Duration.ofSeconds(1 + 3 + 10));
    assertThat(exit).as(proxy.output()).hasValue(0);
    assertThat(proxy.output()).doesNotContain("Cannot reserve");
  }

  private long waits() {
    String metrics = proxy.telemetry("/metrics").body();
    return metrics
        .lines()
        .filter(l -> l.startsWith("fulcrum_direct_memory_waits_total"))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static Socket connect(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    s.setSoTimeout(30_000);
    return s;
  }

  /** The first line the backend sent (its name), or "" once the proxy closed the client. */
  private static String greeting(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    StringBuilder line = new StringBuilder();
    try {
      for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
        line.append((char) c);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("a client was neither answered nor closed within 30 s", e);
    }
    return line.toString();
  }
}
