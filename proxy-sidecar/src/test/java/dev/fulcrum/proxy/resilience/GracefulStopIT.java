package dev.fulcrum.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.ProxyProcess;
import dev.fulcrum.proxy.testing.TestConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM on a real proxy process, as systemd or a container runtime sends it for an upgrade:
 * /readyz fails at once while the listener still serves (keepalived moves the VIP meanwhile), then
 * the listener closes, a stream in flight finishes, and the process exits; a second SIGTERM exits
 * at once.
 */
class GracefulStopIT {
  private static final int DELAY = 2;
  private static final int DRAIN = 20;

  @TempDir Path dir;
  private EchoBackend backend;
  private ProxyProcess proxy;
  private int frontend;

  @BeforeEach
  void start() throws IOException {
    backend = EchoBackend.start("server-1", "127.0.0.11");
    frontend = TestConfigs.freePort();
    String lb =
        """
        shutdownDelaySeconds: %d
        drainSeconds: %d
        loadBalancers:
          - id: stop.k3s-api
            frontend: {port: %d, bind: 127.0.0.1}
            healthCheck: {mode: TCP, intervalSeconds: 1, downIntervalSeconds: 1}
            backends:
              - {name: server-1, address: 127.0.0.11, port: %d}
        """
            .formatted(DELAY, DRAIN, frontend, backend.port());
    proxy = ProxyProcess.start(dir, "stop-token", "proxy.log", yaml -> yaml + lb, List.of());
    await().atMost(Duration.ofSeconds(60)).until(() -> readyz() == 200);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> proxy.output().contains("proxy lb-it ready"));
  }

  @AfterEach
  void stop() {
    System.out.println(proxy.output()); // the stop's log lines, in the test report
    proxy.close();
    backend.close();
  }

  @Test
  void readinessFailsFirstTheListenerServesThroughTheDelayAndAStreamFinishesBeforeExit()
      throws Exception {
    try (Socket stream = connect()) {
      assertThat(line(stream)).isEqualTo("server-1");
      proxy.terminate();
      await().atMost(Duration.ofSeconds(5)).until(() -> readyz() == 503);
      // /readyz is 503, and the listener still takes new clients: the VIP is moving meanwhile.
      try (Socket during = connect()) {
        assertThat(line(during)).isEqualTo("server-1");
      }
      await().atMost(Duration.ofSeconds(DELAY + 5)).until(() -> !accepts());
      // The listener is closed; the stream in flight still carries bytes both ways.
      echo(stream, "still here after the listener closed");
      assertThat(proxy.isAlive()).isTrue();
    } // the client ends its stream: nothing is left to drain
    OptionalInt exit = proxy.exitCode(Duration.ofSeconds(DRAIN));
    assertThat(exit).as(proxy.output()).hasValue(0);
    assertThat(proxy.output()).contains("every connection has ended");
  }

  @Test
  void aSecondSigtermDuringTheDrainExitsAtOnce() throws Exception {
    try (Socket stream = connect()) {
      assertThat(line(stream)).isEqualTo("server-1");
      proxy.terminate();
      await().atMost(Duration.ofSeconds(DELAY + 5)).until(() -> !accepts());
      assertThat(proxy.isAlive()).as("draining the open stream").isTrue();
      proxy.terminate();
      OptionalInt exit = proxy.exitCode(Duration.ofSeconds(5));
      assertThat(exit).as(proxy.output()).hasValue(143);
    }
  }

  private int readyz() {
    return proxy.telemetry("/readyz").statusCode();
  }

  private boolean accepts() throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", frontend), 1_000);
      return true;
    } catch (ConnectException e) {
      return false;
    }
  }

  private Socket connect() throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", frontend), 2_000);
    s.setSoTimeout(10_000);
    return s;
  }

  private static void echo(Socket s, String text) throws IOException {
    s.getOutputStream().write((text + "\n").getBytes(StandardCharsets.UTF_8));
    assertThat(line(s)).isEqualTo(text);
  }

  private static String line(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
      b.append((char) c);
    }
    return b.toString();
  }
}
