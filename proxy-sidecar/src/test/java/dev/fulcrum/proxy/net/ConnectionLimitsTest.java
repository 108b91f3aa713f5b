package dev.fulcrum.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.api.Balance;
import dev.fulcrum.proxy.testing.EchoBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionLimitsTest {
  @TempDir Path stateDir;
  private ProxyHarness proxy;
  private EchoBackend a;
  private final List<TestClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    proxy = new ProxyHarness(stateDir);
    a = proxy.backend("a", "127.0.0.2");
  }

  @AfterEach
  void stop() {
    clients.forEach(TestClient::close);
    proxy.close();
  }

  /** The idle sweep's time, moved by the tests: a timeout passes without being waited for. */
  private final AtomicLong nanos = new AtomicLong();

  private void onTestClock(int eventLoops) {
    proxy.close();
    // Sweeps every 10 ms of real time, reading the test's clock.
    proxy =
        new ProxyHarness(stateDir, eventLoops, new IdleClock(nanos::get, Duration.ofMillis(10)));
    a = proxy.backend("a", "127.0.0.2");
    proxy.apply(
        proxy.config(Balance.ROUND_ROBIN, List.of(a), new ProxyHarness.Knobs(1, 100, 0, 15)));
  }

  private void pass(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @Test
  void idleTimeoutClosesAConnectionWithNoTrafficEitherWay() throws Exception {
    onTestClock(2);
    TestClient idle = open();
    assertThat(idle.greeting()).isEqualTo("a");

    pass(Duration.ofMillis(900));
    assertThat(idle.roundTrip("still there")).isEqualTo("still there");
    pass(Duration.ofMillis(1100));

    assertThat(idle.endedByPeer()).as("the proxy closes the idle client").isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> a.open() == 0);
    assertThat(proxy.activeByBackend().get("a")).isZero();
  }

  @Test
  void idleTimeoutSparesAConnectionThatKeepsTalking() {
    onTestClock(2);
    TestClient chatty = open();
    assertThat(chatty.greeting()).isEqualTo("a");
    // Five idle timeouts pass, with a ping every 0.4 s of them: every ping must still echo, and
    // the connection stays open across several sweeps after each.
    for (int i = 0; i < 12; i++) {
      pass(Duration.ofMillis(400));
      await()
          .during(Duration.ofMillis(50))
          .atMost(Duration.ofSeconds(10))
          .until(() -> chatty.roundTrip("ping").equals("ping"));
    }
  }

  @Test
  void idleTimeoutClosesEachConnectionWhenItGoesQuietAmongOthersThatComeAndGo() throws Exception {
    onTestClock(1); // every connection on one event loop's idle bookkeeping
    // Interleaved, so closing the quiet ones moves the talkers around the idle bookkeeping.
    TestClient quiet1 = open();
    TestClient talker1 = open();
    TestClient quiet2 = open();
    TestClient talker2 = open();
    for (TestClient c : clients) {
      assertThat(c.greeting()).isEqualTo("a");
    }

    for (int i = 0; i < 4; i++) {
      pass(Duration.ofMillis(400));
      assertThat(talker1.roundTrip("ping")).isEqualTo("ping");
      assertThat(talker2.roundTrip("ping")).isEqualTo("ping");
    }
    assertThat(quiet1.endedByPeer()).as("the proxy closes a quiet client").isTrue();
    assertThat(quiet2.endedByPeer()).as("the proxy closes a quiet client").isTrue();

    talker2.close(); // leaves on its own; talker1 now goes quiet too and must be closed in turn
    pass(Duration.ofMillis(1100));
    assertThat(talker1.endedByPeer()).as("the proxy closes the last client once quiet").isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> a.open() == 0);
    assertThat(proxy.activeByBackend().get("a")).isZero();
  }

  @Test
  void maxConnectionsHoldsTheExtraClientUntilASlotFreesWhileOthersKeepWorking() throws Exception {
    proxy.apply(
        proxy.config(Balance.ROUND_ROBIN, List.of(a), new ProxyHarness.Knobs(3600, 3, 0, 15)));
    List<TestClient> admitted = List.of(open(), open(), open());
    for (TestClient c : admitted) {
      assertThat(c.greeting()).isEqualTo("a");
    }

    TestClient extra = open(); // the kernel completes the handshake; the proxy does not accept
    for (TestClient c : admitted) {
      assertThat(c.roundTrip("still here")).isEqualTo("still here");
    }
    assertThat(proxy.status().activeConnections()).isEqualTo(3);
    assertThat(extra.in.available()).as("nothing reached the extra client").isZero();

    admitted.get(0).close();
    assertThat(extra.greeting()).as("served once a slot freed").isEqualTo("a");
    assertThat(extra.roundTrip("late")).isEqualTo("late");
    assertThat(admitted.get(1).roundTrip("ok")).isEqualTo("ok");
    await().atMost(Duration.ofSeconds(10)).until(() -> proxy.status().activeConnections() == 3);
  }

  private TestClient open() {
    TestClient c = TestClient.connect(proxy.proxyAddress());
    clients.add(c);
    return c;
  }
}
