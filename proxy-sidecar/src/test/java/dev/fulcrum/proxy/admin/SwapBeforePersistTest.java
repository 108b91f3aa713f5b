package dev.fulcrum.proxy.admin;

import static dev.fulcrum.proxy.admin.AdminHarness.greeting;
import static dev.fulcrum.proxy.admin.AdminHarness.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.store.DurableFile;
import dev.fulcrum.proxy.store.StateStore;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.Greetings;
import dev.fulcrum.proxy.testing.TestConfigs;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push that keeps the frontend's address is served before its state file is durable, answered
 * only after, and taken back when the write fails; a disk held on a latch shows the order without
 * timing anything.
 */
class SwapBeforePersistTest {
  private static final String ID = "fulcrum-system.k3s-api";

  @TempDir Path dir;
  private final HeldDisk disk = new HeldDisk();
  private AdminHarness h;
  private EchoBackend a;
  private EchoBackend b;
  private int port;
  private LoadBalancerConfig toB;
  private String appliedBefore;
  private byte[] stateBefore;

  @BeforeEach
  void serveBackendA() throws Exception {
    h = new AdminHarness(dir, () -> true, disk);
    a = EchoBackend.start("a", "127.0.0.1");
    b = EchoBackend.start("b", "127.0.0.1");
    port = TestConfigs.freePort();
    toB = TestConfigs.config(port, 5, b);
    assertThat(h.put(ID, TestConfigs.config(port, 5, a)).statusCode()).isEqualTo(200);
    appliedBefore = h.appliedVersion(ID);
    stateBefore = h.stateFile();
    disk.events.clear();
  }

  @AfterEach
  void stop() {
    disk.release.countDown(); // a failed test must not leave the engine blocked in a write
    h.close();
    a.close();
    b.close();
  }

  @Test
  void newConnectionsReachTheNewBackendsWhileTheStateFileIsStillBeingWritten() throws Exception {
    disk.hold();
    CompletableFuture<HttpResponse<String>> reply = h.putAsync(ID, toB);
    disk.awaitEntered();

    assertThat(greeting(port)).isEqualTo("b");
    assertThat(reply).isNotDone();
    assertThat(h.stateFile()).isEqualTo(stateBefore);
    // What is reported applied is what was acknowledged: the durable version.
    assertThat(h.appliedVersion(ID)).isEqualTo(appliedBefore);

    disk.release.countDown();
    assertThat(reply.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(h.appliedVersion(ID)).isEqualTo(toB.contentVersion());
    assertThat(greeting(port)).isEqualTo("b");
  }

  @Test
  void theAckIsSentOnlyAfterTheStateFileIsWritten() throws Exception {
    disk.hold();
    CompletableFuture<HttpResponse<String>> reply =
        h.putAsync(ID, toB).whenComplete((r, e) -> disk.events.add("answered"));
    disk.awaitEntered();
    // Served by b: the push got as far as it can before the write, so an early ACK would be out.
    assertThat(greeting(port)).isEqualTo("b");
    assertThat(reply).isNotDone();

    disk.release.countDown();

    assertThat(reply.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(disk.events).containsExactly("written", "answered");
    assertThat(new StateStore(h.stateDir).load().loadBalancers().get(ID).version())
        .isEqualTo(toB.contentVersion());
  }

  @Test
  void failedWriteSetsThePreviousBackendsBackAndAnswers5xxNamingTheCause() throws Exception {
    disk.hold();
    disk.failure = new FileSystemException(dir.toString(), null, "No space left on device");
    CompletableFuture<HttpResponse<String>> reply = h.putAsync(ID, toB);
    disk.awaitEntered();
    try (Socket shownEarly = connect(port)) {
      assertThat(Greetings.firstLine(shownEarly.getInputStream())).isEqualTo("b");

      disk.release.countDown();
      HttpResponse<String> r = reply.get(30, TimeUnit.SECONDS);

      assertThat(r.statusCode()).isEqualTo(507);
      assertThat(read(r.body()).path("error").asText())
          .contains("config not applied")
          .contains("No space left on device");
      // Opened to a backend that was never applied: closed, not left unchecked and uncounted.
      assertThat(closedByProxy(shownEarly)).isTrue();
    }
    assertThat(h.stateFile()).isEqualTo(stateBefore);
    assertThat(h.appliedVersion(ID)).isEqualTo(appliedBefore);
    assertThat(greeting(port)).isEqualTo("a");
    assertThat(disk.events).isEmpty();
  }

  @Test
  void movedFrontendKeepsItsOldListenerUntilTheWriteSucceeds() throws Exception {
    int newPort = TestConfigs.freePort();
    disk.hold();
    disk.failure = new IOException("cannot write the state file: Input/output error");
    CompletableFuture<HttpResponse<String>> reply =
        h.putAsync(ID, TestConfigs.config(newPort, 5, b));
    disk.awaitEntered();

    assertThat(greeting(port)).isEqualTo("a");

    disk.release.countDown();
    HttpResponse<String> r = reply.get(30, TimeUnit.SECONDS);

    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(read(r.body()).path("error").asText()).contains("Input/output error");
    assertThat(greeting(port)).isEqualTo("a");
    assertThatThrownBy(() -> connect(newPort).close()).isInstanceOf(ConnectException.class);
    assertThat(h.stateFile()).isEqualTo(stateBefore);
  }

  private static Socket connect(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    s.setSoTimeout(20_000);
    return s;
  }

  /** True once the proxy closes the connection (end of stream or reset); false if it stays open. */
  private static boolean closedByProxy(Socket s) throws IOException {
    try {
      return s.getInputStream().read() < 0;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  /** The real durable write, behind a gate a test can hold shut and make fail. */
  private static final class HeldDisk implements StateStore.Writer {
    final List<String> events = new CopyOnWriteArrayList<>();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean held;
    volatile IOException failure;

    void hold() {
      held = true;
    }

    void awaitEntered() throws InterruptedException {
      assertThat(entered.await(30, TimeUnit.SECONDS)).as("the push reached the write").isTrue();
    }

    @Override
    public void write(Path target, byte[] bytes) throws IOException {
      if (held) {
        entered.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while held", e);
        }
        if (failure != null) {
          throw failure;
        }
      }
      DurableFile.write(target, bytes);
      events.add("written");
    }
  }
}
