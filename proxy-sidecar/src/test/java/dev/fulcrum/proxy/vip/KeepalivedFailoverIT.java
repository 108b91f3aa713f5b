package dev.fulcrum.proxy.vip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real keepalived and real proxy processes in network namespaces: lb-1 (priority 200) and lb-2
 * (100) share VIP 192.0.2.100 in front of an echo server; a client namespace dials the VIP. Each
 * host as deploy/ installs it ({@link LbHost}): the proxy unprivileged, keepalived.conf rendered by
 * root from the proxy's instances file.
 */
class KeepalivedFailoverIT {
  private static final String VIP = "192.0.2.100";
  private static final int PORT = 6443;

  @TempDir Path dir;
  private NetnsLab lab;
  private LbHost lb1;
  private LbHost lb2;
  private String client;

  @BeforeEach
  void network() throws Exception {
    NetnsLab.assumeUsable();
    lab = new NetnsLab("192.0.2.20/24");
    lab.spawn(
        lab.bridgeNamespace(),
        dir.resolve("echo.log"),
        LbHost.java("dev.fulcrum.proxy.testing.EchoBackend", "echo", "192.0.2.20", "7000"));
    lb1 = new LbHost(lab, "lb-1", lab.host("lb1", "192.0.2.11/24"), dir.resolve("lb-1"));
    lb2 = new LbHost(lab, "lb-2", lab.host("lb2", "192.0.2.12/24"), dir.resolve("lb-2"));
    client = lab.host("client", "192.0.2.50/24");
  }

  @AfterEach
  void tearDown() {
    for (LbHost h : new LbHost[] {lb1, lb2}) {
      if (h != null) {
        h.close();
      }
    }
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void theVipFollowsTheHighestReadyProxyAndConnectionsThroughItKeepWorking() throws Exception {
    withLogs(this::failoverAndBack);
  }

  @Test
  void aChangedPriorityIsRenderedAndReachesTheRunningKeepalivedBySighup() throws Exception {
    withLogs(this::priorityChange);
  }

  private void priorityChange() throws Exception {
    lb1.start();
    lb2.start();
    await("VIP on lb-1 (priority 200)")
        .atMost(Duration.ofSeconds(90))
        .until(() -> lab.hasAddress(lb1.ns, VIP) && !lab.hasAddress(lb2.ns, VIP));

    // lb-2's keepalived keeps running: only a reload can give it the new priority.
    lb2.writeConfig("{lb-1: 200, lb-2: 250}");
    lb2.stopProxy();
    lb2.startProxy();

    await("VIP moves to lb-2 once its keepalived runs with priority 250")
        .atMost(Duration.ofSeconds(90))
        .until(() -> lab.hasAddress(lb2.ns, VIP) && !lab.hasAddress(lb1.ns, VIP));
    assertThat(Files.readString(lb2.keepalivedConf())).contains("priority 250");
    assertThat(lb2.renderLogs()).contains("keepalived reloaded: kill -HUP");
    assertThat(
            await("a connection through the VIP on lb-2")
                .atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> lab.firstLine(client, VIP, PORT), "echo"::equals))
        .isEqualTo("echo");
  }

  private void failoverAndBack() throws Exception {
    lb1.start();
    lb2.start();

    await("VIP on lb-1 (priority 200)")
        .atMost(Duration.ofSeconds(90))
        .until(() -> lab.hasAddress(lb1.ns, VIP) && !lab.hasAddress(lb2.ns, VIP));
    assertThat(lb1.status().path("vipHeld").asBoolean()).isTrue();
    assertThat(lb2.status().path("vipHeld").isBoolean()).isTrue();
    assertThat(lb2.status().path("vipHeld").asBoolean()).isFalse();
    assertThat(lb1.metrics()).contains("fulcrum_vip_held 1.0");
    // As deploy/ installs it: the proxy is unprivileged, and what root's keepalived loads and
    // runs is root's alone.
    assertThat(lb1.proxyUid()).isEqualTo(Integer.toString(LbHost.PROXY_UID));
    // The renderer's result came back to the unprivileged proxy: nothing to report.
    assertThat(lb1.resultFile()).exists();
    assertThat(lb1.status().has("keepalivedProblem")).as(lb1.status().toString()).isFalse();
    assertThat(lb1.metrics()).contains("fulcrum_keepalived_handoff_ok 1.0");
    for (Path file :
        List.of(
            lb1.keepalivedConf(),
            lb1.keepalivedConf().resolveSibling(KeepalivedSync.SCRIPT_FILE))) {
      assertThat(Files.getOwner(file).getName()).as(file.toString()).isEqualTo("root");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .as(file.toString())
          .matches("rw[-x]------");
    }
    assertThat(lab.firstLine(client, VIP, PORT)).isEqualTo("echo");

    // A planned restart of the holder (an upgrade): a client connects over and over meanwhile.
    ClientLoop clients = new ClientLoop(lab, client, VIP, PORT).start();
    await("the client loop's first connections")
        .atMost(Duration.ofSeconds(30))
        .until(() -> clients.succeeded() >= 5);
    long stoppedAt = System.nanoTime();
    lb1.signalProxy(); // /readyz fails at once; the proxy serves on through its shutdown delay
    await("VIP moves to lb-2 after lb-1's proxy is told to stop")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> lab.hasAddress(lb2.ns, VIP));
    long failoverMillis = (System.nanoTime() - stoppedAt) / 1_000_000;
    System.out.printf(
        "VIP failover lb-1 -> lb-2: %d ms after SIGTERM to lb-1's proxy%n", failoverMillis);
    lb1.awaitProxyExit();
    long after = clients.succeeded();
    await("connections after lb-1's proxy exited")
        .atMost(Duration.ofSeconds(30))
        .until(() -> clients.succeeded() >= after + 5);
    ClientLoop.Result planned = clients.stop();
    System.out.printf(
        "planned restart of the VIP holder (SIGTERM): %d connections, %d failed (%d refused,"
            + " %d accepted by the old holder in the instant before the VIP left and never"
            + " greeted), slowest %d ms%n",
        planned.attempts(),
        planned.failed(),
        planned.refused(),
        planned.failed() - planned.refused(),
        planned.slowestMillis());
    // The proxy keeps its listener open until the VIP has moved: nothing is refused. A connection
    // the old holder accepted a millisecond before keepalived took the VIP away can still be lost
    // (the host cannot send from an address it no longer has); the count is reported above.
    assertThat(planned.refused()).as("connections refused while the VIP moved").isZero();
    assertThat(lab.hasAddress(lb1.ns, VIP)).isFalse();
    assertThat(
            await("a new connection through the VIP after failover")
                .atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> lab.firstLine(client, VIP, PORT), "echo"::equals))
        .isEqualTo("echo");
    assertThat(lb2.status().path("vipHeld").asBoolean()).isTrue();

    lb1.startProxy();
    await("VIP returns to lb-1 once its proxy is ready again (preemption)")
        .atMost(Duration.ofSeconds(90))
        .until(() -> lab.hasAddress(lb1.ns, VIP) && !lab.hasAddress(lb2.ns, VIP));
    assertThat(
            await("a connection through the VIP after it returned")
                .atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> lab.firstLine(client, VIP, PORT), "echo"::equals))
        .isEqualTo("echo");
  }

  @Test
  void aLoadBalancerWithNoServerUpReleasesOnlyItsOwnVip() throws Exception {
    withLogs(this::twoVips);
  }

  /**
   * Two resources on two VIPs, both held by lb-1: the ingress's only server dies, so neither host
   * may hold the ingress VIP any more; the K3s API VIP stays on lb-1 and keeps serving.
   */
  private void twoVips() throws Exception {
    String ingressVip = "192.0.2.101";
    Process ingressServer =
        lab.spawn(
            lab.bridgeNamespace(),
            dir.resolve("ingress-echo.log"),
            LbHost.java("dev.fulcrum.proxy.testing.EchoBackend", "ingress", "192.0.2.20", "7001"));
    lb1.addIngress();
    lb2.addIngress();
    lb1.start();
    lb2.start();
    await("both VIPs on lb-1 (priority 200)")
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                lab.hasAddress(lb1.ns, VIP)
                    && lab.hasAddress(lb1.ns, ingressVip)
                    && !lab.hasAddress(lb2.ns, VIP)
                    && !lab.hasAddress(lb2.ns, ingressVip));
    assertThat(lab.firstLine(client, ingressVip, 8443)).isEqualTo("ingress");

    ingressServer.destroyForcibly().waitFor();
    await("the ingress VIP is released: no host has a server up for it")
        .atMost(Duration.ofSeconds(30))
        .until(() -> !lab.hasAddress(lb1.ns, ingressVip) && !lab.hasAddress(lb2.ns, ingressVip));

    await("the K3s API VIP stays on lb-1 all along")
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .until(() -> lab.hasAddress(lb1.ns, VIP) && !lab.hasAddress(lb2.ns, VIP));
    assertThat(lab.firstLine(client, VIP, PORT)).isEqualTo("echo");
  }

  @Test
  void aKilledHoldersVipMovesAndTheGapIsReported() throws Exception {
    withLogs(this::killedHolder);
  }

  /** kill -9 of the holder's proxy: nothing tells keepalived but the failing track script. */
  private void killedHolder() throws Exception {
    lb1.start();
    lb2.start();
    await("VIP on lb-1 (priority 200)")
        .atMost(Duration.ofSeconds(90))
        .until(() -> lab.hasAddress(lb1.ns, VIP) && !lab.hasAddress(lb2.ns, VIP));
    ClientLoop clients = new ClientLoop(lab, client, VIP, PORT).start();
    await("the client loop's first connections")
        .atMost(Duration.ofSeconds(30))
        .until(() -> clients.succeeded() >= 5);

    long killedAt = System.nanoTime();
    lb1.killProxy();
    await("VIP moves to lb-2 after lb-1's proxy was killed")
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> lab.hasAddress(lb2.ns, VIP));
    long movedMillis = (System.nanoTime() - killedAt) / 1_000_000;
    long after = clients.succeeded();
    await("connections through lb-2")
        .atMost(Duration.ofSeconds(30))
        .until(() -> clients.succeeded() >= after + 5);
    ClientLoop.Result killed = clients.stop();
    System.out.printf(
        "VIP holder's proxy killed (-9): VIP on lb-2 after %d ms; %d connections, %d failed,"
            + " no connection answered for %d ms%n",
        movedMillis, killed.attempts(), killed.failed(), killed.longestGapMillis());
    assertThat(lab.firstLine(client, VIP, PORT)).isEqualTo("echo");
  }

  @Test
  void whereMulticastIsDroppedUnicastVrrpKeepsExactlyOneHolder() throws Exception {
    withLogs(this::unicast);
  }

  /**
   * nftables drops VRRP's multicast on both hosts: with multicast VRRP each host thinks itself
   * alone and both hold the VIP; with unicast peers exactly one does, sample after sample. The
   * advertisements carry a password, and one host with another password is not one of the group.
   */
  private void unicast() throws Exception {
    lab.dropMulticastVrrp(lb1.ns);
    lab.dropMulticastVrrp(lb2.ns);
    lb1.start();
    lb2.start();
    await("with multicast dropped, both hosts take the VIP (the filter works)")
        .atMost(Duration.ofSeconds(60))
        .until(() -> lab.hasAddress(lb1.ns, VIP) && lab.hasAddress(lb2.ns, VIP));

    for (LbHost h : List.of(lb1, lb2)) {
      h.useUnicast("k3s-vrrp");
      h.stopProxy();
      h.startProxy(); // its new instances are rendered and keepalived reloaded
    }
    await("both keepalived.conf rendered with unicast peers")
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(Files.readString(lb1.keepalivedConf()))
                  .contains("unicast_src_ip 192.0.2.11", "unicast_peer {\n    192.0.2.12\n  }");
              assertThat(Files.readString(lb2.keepalivedConf()))
                  .contains("unicast_src_ip 192.0.2.12", "unicast_peer {\n    192.0.2.11\n  }");
              assertThat(Files.readString(lb2.keepalivedConf())).contains("auth_pass k3s-vrrp");
            });
    await("with unicast peers, the VIP on lb-1 only")
        .atMost(Duration.ofSeconds(60))
        .until(() -> lab.hasAddress(lb1.ns, VIP) && !lab.hasAddress(lb2.ns, VIP));
    await("exactly one host holds the VIP at every sample for 30 s")
        .during(Duration.ofSeconds(30))
        .atMost(Duration.ofSeconds(35))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> lab.hasAddress(lb1.ns, VIP) != lab.hasAddress(lb2.ns, VIP));
    assertThat(lab.firstLine(client, VIP, PORT)).isEqualTo("echo");

    lb2.useUnicast("other-pw");
    lb2.stopProxy();
    lb2.startProxy();
    await("lb-2, with another password, ignores lb-1's advertisements and takes the VIP too")
        .atMost(Duration.ofSeconds(60))
        .until(() -> lab.hasAddress(lb1.ns, VIP) && lab.hasAddress(lb2.ns, VIP));
  }

  @Test
  void aRecoveredHolderTakesTheVipBackOnlyAfterThePreemptDelay() throws Exception {
    withLogs(this::preemptDelay);
  }

  /**
   * With a preempt delay of 8 s, lb-1 (priority 200) coming back after a crash leaves the VIP on
   * lb-2 for at least that long (without it, the VIP returns as soon as lb-1 is ready, ~4 s).
   */
  private void preemptDelay() throws Exception {
    int delay = 8;
    lb1.usePreemptDelay(delay);
    lb2.usePreemptDelay(delay);
    lb1.start();
    lb2.start();
    await("VIP on lb-1 (priority 200)")
        .atMost(Duration.ofSeconds(90))
        .until(() -> lab.hasAddress(lb1.ns, VIP) && !lab.hasAddress(lb2.ns, VIP));
    assertThat(Files.readString(lb1.keepalivedConf())).contains("  preempt_delay " + delay + "\n");

    lb1.killProxy();
    await("VIP moves to lb-2 after lb-1's proxy was killed")
        .atMost(Duration.ofSeconds(15))
        .until(() -> lab.hasAddress(lb2.ns, VIP));
    long restarted = System.nanoTime();
    lb1.startProxy();
    await("VIP returns to lb-1 after the preempt delay")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> lab.hasAddress(lb1.ns, VIP) && !lab.hasAddress(lb2.ns, VIP));
    long backMillis = (System.nanoTime() - restarted) / 1_000_000;
    System.out.printf(
        "VIP back on lb-1 %d ms after its proxy restarted (preempt delay %d s)%n",
        backMillis, delay);
    assertThat(backMillis).isGreaterThanOrEqualTo(delay * 1000L);
    assertThat(lab.firstLine(client, VIP, PORT)).isEqualTo("echo");
  }

  @Test
  void anIpv6VipAndAnIpv4VipOnOnePortAreBothServedToAClientInAnotherNamespace() throws Exception {
    withLogs(this::ipv6);
  }

  private void ipv6() throws Exception {
    String vip6 = "fd00::100";
    lab.addAddress(lab.bridgeNamespace(), "fd00::20/64", "br0");
    lab.addAddress(lb1.ns, "fd00::11/64", "eth1");
    lab.addAddress(lb2.ns, "fd00::12/64", "eth1");
    lab.addAddress(client, "fd00::50/64", "eth1");
    lab.spawn(
        lab.bridgeNamespace(),
        dir.resolve("echo6.log"),
        LbHost.java("dev.fulcrum.proxy.testing.EchoBackend", "echo6", "fd00::20", "7000"));
    lb1.addIpv6();
    lb2.addIpv6();
    lb1.start();
    lb2.start();
    await("the IPv6 VIP on lb-1 (priority 200), the IPv4 one too")
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                lab.hasAddress(lb1.ns, vip6)
                    && !lab.hasAddress(lb2.ns, vip6)
                    && lab.hasAddress(lb1.ns, VIP));
    assertThat(
            await("a connection through the IPv6 VIP")
                .atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> lab.firstLine(client, vip6, PORT), "echo6"::equals))
        .isEqualTo("echo6");
    assertThat(lab.firstLine(client, VIP, PORT)).isEqualTo("echo");
  }

  private interface Scenario {
    void run() throws Exception;
  }

  private void withLogs(Scenario scenario) throws Exception {
    try {
      scenario.run();
    } catch (AssertionError | Exception e) {
      dumpLogs();
      throw e;
    }
  }

  private void dumpLogs() throws IOException {
    try (Stream<Path> logs = Files.walk(dir)) {
      for (Path log : logs.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
        List<String> lines = Files.readAllLines(log);
        System.out.println("---- " + log + " (last 30 lines)");
        lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(System.out::println);
      }
    }
  }
}
