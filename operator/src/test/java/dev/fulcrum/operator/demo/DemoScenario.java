package dev.fulcrum.operator.demo;

import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import dev.fulcrum.operator.testing.RealProxy;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * The story the demo tells: Ready, a server leaves both proxies, it comes back; each step proved
 * with real connections through both proxies.
 */
final class DemoScenario {
  static final Duration READY_WITHIN = Duration.ofSeconds(10);
  private static final Duration STEP_WITHIN = Duration.ofSeconds(20);

  private final Demo demo;
  private final Traffic traffic;

  private final Duration readyWithin;

  DemoScenario(Demo demo, Duration readyWithin) throws Exception {
    this.demo = demo;
    this.readyWithin = readyWithin;
    this.traffic = new Traffic(demo.ca);
  }

  void run() throws Exception {
    StatusPrinter.Stopwatch sinceApplied = new StatusPrinter.Stopwatch();
    await(
        "Ready=True with 3/3 backends and 2/2 proxies",
        readyWithin,
        s ->
            StatusPrinter.ready(s)
                && "3/3".equals(s.backendsSummary)
                && "2/2".equals(s.proxiesSummary));
    demo.say(
        String.format(
            "==> Ready=True, 3/3 healthy: %.1f s after the resource was applied",
            sinceApplied.seconds()));
    proveTraffic("server-1", "server-2", "server-3");

    K3sServer server2 = demo.servers.get(1);
    demo.say("==> server-2 goes down: its K3s stops listening and its Node turns NotReady");
    server2.stop();
    demo.node(server2, false);
    awaitServed("server-1", "server-3");
    await(
        "server-2 unserved (2/3 healthy), Ready=True",
        STEP_WITHIN,
        s ->
            StatusPrinter.ready(s)
                && "2/3".equals(s.backendsSummary)
                && "2/2".equals(s.proxiesSummary));
    demo.say("==> server-2 left: both proxies serve server-1 and server-3 only");
    proveTraffic("server-1", "server-3");

    demo.say("==> server-2 comes back: K3s listens again and its Node turns Ready");
    server2.start();
    demo.node(server2, true);
    awaitServed("server-1", "server-2", "server-3");
    await(
        "server-2 back in the status, 3/3 healthy",
        STEP_WITHIN,
        s ->
            StatusPrinter.ready(s)
                && "3/3".equals(s.backendsSummary)
                && "2/2".equals(s.proxiesSummary));
    demo.say("==> server-2 rejoined: both proxies serve all three servers again");
    proveTraffic("server-1", "server-2", "server-3");
  }

  private void await(String what, Duration within, Predicate<ExternalLoadBalancerStatus> wanted)
      throws InterruptedException {
    if (!demo.status.await(wanted, within)) {
      throw new IllegalStateException("not reached within " + within.toSeconds() + " s: " + what);
    }
  }

  /** Waits until both proxies' data planes serve exactly these servers. */
  private void awaitServed(String... names) throws InterruptedException {
    List<String> wanted = List.of(names);
    BooleanSupplier done =
        () -> demo.lb1.served(Demo.ID).equals(wanted) && demo.lb2.served(Demo.ID).equals(wanted);
    long deadline = System.nanoTime() + STEP_WITHIN.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "proxies did not converge on "
                + wanted
                + ": lb-1 serves "
                + demo.lb1.served(Demo.ID)
                + ", lb-2 serves "
                + demo.lb2.served(Demo.ID));
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      if (Thread.interrupted()) {
        throw new InterruptedException("Ctrl-C");
      }
    }
  }

  /** Connects through each proxy's frontend until every expected server answered. */
  private void proveTraffic(String... names) throws Exception {
    Set<String> wanted = new TreeSet<>(List.of(names));
    for (RealProxy lb : List.of(demo.lb1, demo.lb2)) {
      Set<String> reached = traffic.reached(lb.host(), demo.frontendPort, wanted);
      demo.say(
          "    traffic: GET /ping via "
              + lb.host()
              + ":"
              + demo.frontendPort
              + " -> pong from "
              + String.join(", ", reached));
      if (!reached.equals(wanted)) {
        throw new IllegalStateException(
            "through " + lb.host() + " reached " + reached + ", expected " + wanted);
      }
    }
  }
}
