package dev.fulcrum.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.Balance;
import dev.fulcrum.proxy.testing.EchoBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the direct data plane does that the channel one does not: connections idle past
 * UringConnection.PARK_AFTER_NANOS give their buffers back and wait in a poll, and a client's bytes
 * can arrive before its backend has answered. The rest of its behaviour is the net suite's, which
 * runs against it by default ({@code -Dfulcrum.test.transport=epoll} runs it against Netty's epoll
 * channels instead).
 */
class UringConnectionTest {
  @TempDir Path stateDir;
  private ProxyHarness proxy;
  private EchoBackend a;

  @BeforeEach
  void start() {
    proxy = new ProxyHarness(stateDir, 1, Transport.Kind.IO_URING);
    assertThat(proxy.transport.direct()).as("io_uring is available here").isTrue();
    a = proxy.backend("a", "127.0.0.2");
    proxy.apply(proxy.config(Balance.ROUND_ROBIN, List.of(a)));
  }

  @AfterEach
  void stop() {
    proxy.close();
  }

  @Test
  void aConnectionIdleLongEnoughToBeParkedStaysOpenAndRelaysBothWaysAfterwards() throws Exception {
    try (TestClient client = TestClient.connect(proxy.proxyAddress())) {
      assertThat(client.greeting()).isEqualTo("a");
      assertThat(client.roundTrip("before")).isEqualTo("before");
      // Both directions sit idle past the park time (the sweep runs once a second) ...
      await()
          .during(Duration.ofMillis(2500))
          .atMost(Duration.ofSeconds(5))
          .until(() -> a.open() == 1 && proxy.status().activeConnections() == 1);
      // ... then a byte each way must wake the parked receive on either side.
      assertThat(client.roundTrip("after")).isEqualTo("after");
      assertThat(client.roundTrip("and again")).isEqualTo("and again");
    }
  }

  @Test
  void bytesSentWhileTheFirstBackendDoesNotAnswerAreHeldAndDeliveredToTheNext() throws Exception {
    // A backend whose accept queue is full: the kernel drops the proxy's SYNs, so its dial hangs
    // until the connect timeout (2 s here) while the client's bytes, sent at once, must wait.
    try (ServerSocket stuck = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.3"))) {
      List<Socket> fillers = fill(stuck);
      try {
        proxy.apply(
            proxy.configOf(
                Balance.ROUND_ROBIN,
                List.of(
                    new BackendConfig("stuck", "127.0.0.3", stuck.getLocalPort()),
                    new BackendConfig(a.name(), a.host(), a.port())),
                ProxyHarness.Knobs.defaults()));
        // Round robin: one of the two starts with the stuck backend, whichever way it turns.
        for (int i = 0; i < 2; i++) {
          try (Socket s = new Socket(ProxyHarness.BIND, proxy.port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("one\ntwo\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in =
                new BufferedReader(
                    new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).as("greeting").isEqualTo("a");
            assertThat(in.readLine()).isEqualTo("one");
            assertThat(in.readLine()).isEqualTo("two");
          }
        }
        assertThat(proxy.status().backends())
            .filteredOn(b -> b.name().equals("stuck"))
            .singleElement()
            .satisfies(
                b -> assertThat(b.health()).isEqualTo(dev.fulcrum.proxy.api.BackendHealth.DOWN));
      } finally {
        for (Socket f : fillers) {
          f.close();
        }
      }
    }
  }

  @Test
  void connectionsEndInsideTheRingWithoutWorkerThreads() throws Exception {
    // Ending a connection must not need a kernel io-wq worker (a shutdown through the ring always
    // does): a thread wake-up and a context switch per socket, on every connection's close.
    for (int i = 0; i < 50; i++) {
      try (TestClient client = TestClient.connect(proxy.proxyAddress())) {
        assertThat(client.greeting()).isEqualTo("a");
        assertThat(client.roundTrip("ping" + i)).isEqualTo("ping" + i);
      }
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> a.open() == 0 && proxy.status().activeConnections() == 0);
    // A worker is named after the thread that submitted its work, and idles 5 s before it exits.
    Map<String, String> threads = threadNamesByKernelId();
    List<String> loops =
        threads.entrySet().stream()
            .filter(t -> t.getValue().startsWith("fulcrum-io"))
            .map(Map.Entry::getKey)
            .toList();
    assertThat(loops).isNotEmpty();
    assertThat(threads.values())
        .as("io_uring workers of the event loop threads %s", loops)
        .noneMatch(name -> loops.stream().anyMatch(tid -> name.equals("iou-wrk-" + tid)));
  }

  /** This process's threads: kernel thread id to name. */
  private static Map<String, String> threadNamesByKernelId() throws IOException {
    Map<String, String> out = new HashMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        try {
          out.put(task.getFileName().toString(), Files.readString(task.resolve("comm")).strip());
        } catch (IOException gone) {
          // the thread ended while listed
        }
      }
    }
    return out;
  }

  /** Connects to {@code server} until its accept queue is full and a connect times out. */
  private static List<Socket> fill(ServerSocket server) throws Exception {
    List<Socket> fillers = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      Socket f = new Socket();
      try {
        f.connect(server.getLocalSocketAddress(), 300);
        fillers.add(f);
      } catch (SocketTimeoutException full) {
        f.close();
        return fillers;
      }
    }
    throw new IllegalStateException("the accept queue did not fill");
  }
}
