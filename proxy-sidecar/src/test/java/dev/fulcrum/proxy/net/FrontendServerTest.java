package dev.fulcrum.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.Balance;
import dev.fulcrum.proxy.api.FrontendConfig;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.balance.Backend;
import dev.fulcrum.proxy.balance.BackendPool;
import dev.fulcrum.proxy.balance.Balancers;
import dev.fulcrum.proxy.engine.DataPlanes;
import dev.fulcrum.proxy.testing.EchoBackend;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The data plane behaves the same on every transport: io_uring (direct or channels), epoll, NIO.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Transport.Kind.class)
class FrontendServerTest {
  private static final ListenAddress LOOPBACK =
      new ListenAddress(new InetSocketAddress("127.0.0.1", 0), false);
  private static final Pattern KEEPALIVE = Pattern.compile("timer:\\(keepalive,(\\d+)(sec|min)");

  private final Transport.Kind kind;
  private final Transport transport;
  private final EchoBackend a = EchoBackend.start("a", "127.0.0.2");
  private final EchoBackend b = EchoBackend.start("b", "127.0.0.3");

  FrontendServerTest(Transport.Kind kind) {
    assumeTrue(kind.choose() == kind, () -> kind.label() + " is not available on this kernel");
    this.kind = kind;
    this.transport = new Transport(1, kind);
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    transport.close();
  }

  @Test
  void servesOnTheTransportItWasAskedFor() {
    assertThat(transport.kind()).isEqualTo(kind);
  }

  @Test
  void streamsBytesIntactBothWaysThroughBackpressure() throws Exception {
    try (FrontendServer server = new FrontendServer("ns.lb", DataPlanes.of(transport), pool(a))) {
      server.bind(LOOPBACK);
      StreamingClient stream = new StreamingClient(server.localAddress(), 42);
      try (stream) {
        await().atMost(Duration.ofSeconds(60)).until(() -> stream.echoed() >= 32L << 20);
        StreamingClient.Result result = stream.finish();
        assertThat(result.error()).isNull();
        assertThat(result.echoed()).isEqualTo(result.sent());
        assertThat(result.echoedCrc()).isEqualTo(result.sentCrc());
      }
    }
  }

  @Test
  void bothSocketsOfAProxiedConnectionProbeForDeadPeersWithinAMinute() throws Exception {
    assumeTrue(transport.isNative(), "NIO cannot set TCP_KEEPIDLE; it only turns keepalive on");
    assumeTrue(
        new java.io.File("/usr/bin/ss").canExecute() || new java.io.File("/bin/ss").canExecute(),
        "ss (iproute2) is not installed");
    try (FrontendServer server = new FrontendServer("ns.lb", DataPlanes.of(transport), pool(a))) {
      server.bind(LOOPBACK);
      try (TestClient client = TestClient.connect(server.localAddress())) {
        assertThat(client.greeting()).isEqualTo("a");
        int port = server.localAddress().getPort();
        // The proxy's end of the client connection, and its end of the backend connection.
        assertThat(keepaliveSeconds("sport = :" + port)).isBetween(1, 60);
        assertThat(keepaliveSeconds("dport = :" + a.port())).isBetween(1, 60);
      }
    }
  }

  @Test
  void backendSocketsGetTheirOptionsWithSystemCallsWhereTheRingCannotSetThem() throws Exception {
    assumeTrue(kind == Transport.Kind.IO_URING, "only the direct plane sets options on the ring");
    assumeTrue(
        new java.io.File("/usr/bin/ss").canExecute() || new java.io.File("/bin/ss").canExecute(),
        "ss (iproute2) is not installed");
    transport.ringOptions().useSystemCalls(); // as after a kernel before 6.7 refused one
    try (FrontendServer server = new FrontendServer("ns.lb", DataPlanes.of(transport), pool(a))) {
      server.bind(LOOPBACK);
      try (TestClient client = TestClient.connect(server.localAddress())) {
        assertThat(client.greeting()).isEqualTo("a");
        assertThat(keepaliveSeconds("dport = :" + a.port())).isBetween(1, 60);
        assertThat(client.roundTrip("relayed")).isEqualTo("relayed");
      }
    }
  }

  @Test
  void runningOutOfFileDescriptorsClosesTheClientAndLeavesTheBackendUp() throws Exception {
    assumeTrue(new java.io.File("/usr/bin/prlimit").canExecute(), "prlimit is not installed");
    // On io_uring the ring closes and accepts asynchronously, so the descriptor arithmetic below
    // is off by one now and then; epoll and NIO make the same dials (BackendDialer) with plain
    // system calls. The direct plane's counterpart (UringConnection.connect) is not covered here.
    assumeTrue(
        kind == Transport.Kind.EPOLL || kind == Transport.Kind.NIO,
        "descriptor counting is exact only with synchronous accepts and closes");
    BackendPool pool = pool(a);
    Backend backend = pool.backends().get(0);
    try (FrontendServer server = new FrontendServer("ns.lb", DataPlanes.of(transport), pool)) {
      server.bind(LOOPBACK);
      try (TestClient warm = TestClient.connect(server.localAddress())) {
        assertThat(warm.greeting()).isEqualTo("a"); // whatever the data plane opens lazily is open
      }
      // Both ends of the warm-up connection closed (the backend's too, in this JVM), so the
      // descriptors counted below stay as they are.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> backend.activeConnections() == 0 && a.open() == 0);
      String saved = prlimit("--output=SOFT,HARD", "--noheadings").trim().replaceAll("\\s+", ":");
      // At the limit this JVM cannot start a process, so the one that puts the limit back is
      // started first and waits for a line (or 30 s, should the test never send it).
      Process restorer =
          new ProcessBuilder(
                  "bash",
                  "-c",
                  "read -t 30 _; exec prlimit --pid "
                      + ProcessHandle.current().pid()
                      + " --nofile="
                      + saved)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      // Room for two descriptors: the client's socket and the proxy's accept of it. The proxy's
      // backend socket is the third and finds none.
      prlimit("--nofile=" + thirdFreeDescriptor() + ":" + saved.split(":")[1]);
      try (Socket client = new Socket()) {
        client.connect(server.localAddress(), 5_000);
        client.setSoTimeout(10_000);
        int first;
        try {
          first = client.getInputStream().read();
        } catch (java.net.SocketException reset) {
          first = -1;
        }
        assertThat(first).as("a byte relayed from the backend").isEqualTo(-1);
      } finally {
        restorer.getOutputStream().write('\n');
        restorer.getOutputStream().close();
        assertThat(restorer.waitFor(40, TimeUnit.SECONDS)).isTrue();
        assertThat(prlimit("--output=SOFT,HARD", "--noheadings").trim().replaceAll("\\s+", ":"))
            .isEqualTo(saved);
      }
      assertThat(backend.isUp()).as("the backend is not to blame").isTrue();
      assertThat(backend.connectFailures()).isZero();
      try (TestClient after = TestClient.connect(server.localAddress())) {
        assertThat(after.greeting()).isEqualTo("a");
      }
    }
  }

  /** prlimit on this JVM's file descriptor limit; its output. */
  private static String prlimit(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of("prlimit", "--pid", "" + ProcessHandle.current().pid()));
    if (args.length > 0 && args[0].startsWith("--output")) {
      cmd.add("--nofile");
    }
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s: %s", cmd, out).isZero();
    return out;
  }

  /** The descriptor number a third new descriptor would get: the lowest free ones go first. */
  private static int thirdFreeDescriptor() throws IOException {
    Path dir = Path.of("/proc/self/fd");
    Set<Integer> used = new HashSet<>();
    try (var fds = Files.list(dir)) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          if (!Files.readSymbolicLink(fd).toString().endsWith("/fd")) { // not this listing's own
            used.add(Integer.parseInt(fd.getFileName().toString()));
          }
        } catch (IOException closedMeanwhile) {
          // not in use any more
        }
      }
    }
    int free = 0;
    for (int fd = 0; ; fd++) {
      if (!used.contains(fd) && ++free == 3) {
        return fd;
      }
    }
  }

  /** The keepalive timer ss shows on the one established socket matching the filter. */
  private static int keepaliveSeconds(String filter) throws Exception {
    Process ss =
        new ProcessBuilder("ss", "-Htno", "state", "established", "( " + filter + " )")
            .redirectErrorStream(true)
            .start();
    String out = new String(ss.getInputStream().readAllBytes());
    assertThat(ss.waitFor(10, TimeUnit.SECONDS)).isTrue();
    Matcher m = KEEPALIVE.matcher(out);
    assertThat(m.find()).as("keepalive timer in: %s", out).isTrue();
    int value = Integer.parseInt(m.group(1));
    return m.group(2).equals("min") ? value * 60 : value;
  }

  @Test
  void bindingAnAddressInUseThrowsWithTheCause() throws IOException {
    try (FrontendServer first = new FrontendServer("ns.one", DataPlanes.of(transport), pool(a));
        FrontendServer second = new FrontendServer("ns.two", DataPlanes.of(transport), pool(a))) {
      first.bind(LOOPBACK);
      assertThatThrownBy(() -> second.bind(new ListenAddress(first.localAddress(), false)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("in use")
          .hasCauseInstanceOf(Exception.class);
      assertThat(second.listening()).isFalse();
    }
  }

  @Test
  void anIpv4AndAnIpv6OnlyFrontendShareAPortAndEachServesItsOwnFamily() throws IOException {
    assumeTrue(ListenAddress.hostHasIpv6(), "this host has no IPv6");
    assumeTrue(transport.isNative(), "NIO cannot set IPV6_V6ONLY: its :: serves IPv4 too");
    int port = freePort();
    try (FrontendServer v4 = new FrontendServer("ns.api", DataPlanes.of(transport), pool(a));
        FrontendServer v6 = new FrontendServer("ns.ingress", DataPlanes.of(transport), pool(b))) {
      // As a dual-stack bind resolves for an IPv4 VIP and for an IPv6 VIP on one port.
      v4.bind(ListenAddress.resolve("::", port, "10.10.10.100/24", true));
      v6.bind(ListenAddress.resolve("::", port, "fd00::100/64", true));
      try (TestClient four = TestClient.connect(new InetSocketAddress("127.0.0.1", port));
          TestClient six = TestClient.connect(new InetSocketAddress("::1", port))) {
        assertThat(four.greeting()).isEqualTo("a");
        assertThat(six.greeting()).isEqualTo("b");
      }
    }
  }

  @Test
  void theDualStackWildcardServesIpv4AndIpv6Clients() throws IOException {
    assumeTrue(ListenAddress.hostHasIpv6(), "this host has no IPv6");
    try (FrontendServer server = new FrontendServer("ns.lb", DataPlanes.of(transport), pool(a))) {
      server.bind(ListenAddress.resolve("::", freePort(), null, true));
      int port = server.localAddress().getPort();
      try (TestClient four = TestClient.connect(new InetSocketAddress("127.0.0.1", port));
          TestClient six = TestClient.connect(new InetSocketAddress("::1", port))) {
        assertThat(four.greeting()).isEqualTo("a");
        assertThat(six.greeting()).isEqualTo("a");
      }
    }
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void swapSendsOnlyNewConnectionsToTheNewPool() throws IOException {
    try (FrontendServer server = new FrontendServer("ns.lb", DataPlanes.of(transport), pool(a))) {
      server.bind(LOOPBACK);
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
    FrontendServer server = new FrontendServer("ns.lb", DataPlanes.of(transport), pool(a));
    server.bind(LOOPBACK);
    InetSocketAddress address = server.localAddress();
    try (TestClient client = TestClient.connect(address)) {
      assertThat(client.greeting()).isEqualTo("a");

      server.close();

      assertThat(server.listening()).isFalse();
      // NIO closes a listening socket registered with a selector on the selector's next turn.
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThatThrownBy(
                          () -> new Socket(address.getAddress(), address.getPort()).close())
                      .isInstanceOf(ConnectException.class));
      assertThat(client.roundTrip("hello")).isEqualTo("hello");
    }
  }

  @Test
  void countsBytesBothWaysDialLatencyAndTheOpenConnection() throws IOException {
    BackendPool pool = pool(a);
    Backend backend = pool.backends().get(0);
    List<Long> dials = new CopyOnWriteArrayList<>();
    backend.dialLatencyRecorder(dials::add);
    try (FrontendServer server = new FrontendServer("ns.lb", DataPlanes.of(transport), pool)) {
      server.bind(LOOPBACK);
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
    try (FrontendServer server = new FrontendServer("ns.lb", DataPlanes.of(transport), pool)) {
      server.bind(LOOPBACK);
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
    try (FrontendServer server = new FrontendServer("ns.lb", DataPlanes.of(transport), pool)) {
      server.bind(LOOPBACK);
      try (TestClient client = TestClient.connect(server.localAddress())) {
        assertThat(client.endedByPeer()).isTrue();
      }
      Backend backend = pool.backends().get(0);
      assertThat(backend.connectFailures()).isEqualTo(1);
      // One failed dial is evidence, not a verdict: fall of them in a row, or the checks, decide.
      assertThat(backend.isUp()).isTrue();
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
            null,
            null);
    return new BackendPool(
        config,
        List.of(new Backend("ns.lb", config.backends().get(0))),
        Balancers.of(Balance.ROUND_ROBIN));
  }
}
