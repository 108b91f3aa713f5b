package dev.fulcrum.operator.demo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * The one-command local demo: {@code ./mvnw -B -q -Pdemo -DskipTests verify}. Set {@code
 * FULCRUM_DEMO_EXIT_AFTER_SCENARIO=true} to exit after the leave/rejoin story instead of running
 * until Ctrl-C; {@code FULCRUM_DEMO_API=mock} skips the real API server even where it exists.
 */
public final class DemoMain {
  private DemoMain() {}

  public static void main(String[] args) throws Exception {
    // The operator's INFO logs would bury the status lines; warnings and errors still show.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    CountDownLatch stop = new CountDownLatch(1);
    boolean exitAfterScenario =
        Boolean.parseBoolean(System.getenv("FULCRUM_DEMO_EXIT_AFTER_SCENARIO"));
    // Ctrl-C ends the wait (or the story) and the demo closes everything itself, exiting 0 (the
    // JVM's own SIGINT handling would exit 130 with the servers torn down under the operator).
    Thread main = Thread.currentThread();
    for (String signal : new String[] {"INT", "TERM"}) {
      Signal.handle(
          new Signal(signal),
          s -> {
            stop.countDown();
            main.interrupt();
          });
    }
    boolean preferRealApi = !"mock".equalsIgnoreCase(System.getenv("FULCRUM_DEMO_API"));
    try {
      run(
          System.out,
          stop,
          exitAfterScenario,
          preferRealApi,
          DemoScenario.READY_WITHIN,
          Path.of(System.getProperty("fulcrum.demo.dir", "target/demo")));
    } catch (Exception e) {
      if (stop.getCount() > 0) {
        throw e; // a step failed: the build reports it
      }
      // Interrupted mid-step (or mid-request) by Ctrl-C; everything is closed by now.
      System.out.println("demo stopped by Ctrl-C before the story ended");
    }
    System.out.flush();
    // Under exec:java the build's JVM would otherwise wait on library threads (the mock server's).
    System.exit(0);
  }

  /**
   * Starts everything, tells the story, then waits for {@code stop} unless {@code
   * exitAfterScenario}; closes everything before returning. Throws when a step does not happen
   * ({@code readyWithin}: the first Ready=True, 10 s for the README's promise).
   *
   * @param workDir where the demo's servers keep their files
   */
  static void run(
      PrintStream out,
      CountDownLatch stop,
      boolean exitAfterScenario,
      boolean preferRealApi,
      Duration readyWithin,
      Path dir)
      throws Exception {
    Path workDir = dir.toAbsolutePath();
    Path realApi = Path.of(System.getProperty("fulcrum.demo.realapi", "../shared/realapi"));
    out.println("Fulcrum demo: API server, 3 K3s servers, 2 proxies and the operator on loopback");
    try (Demo demo = new Demo(out)) {
      demo.start(workDir, realApi.toAbsolutePath().normalize(), preferRealApi);
      String kubectl = "kubectl --kubeconfig " + demo.api.kubeconfig() + " -n " + DemoApi.NAMESPACE;
      demo.say("kubeconfig written; in another terminal:");
      out.println("        " + kubectl + " get elb");
      out.println("        " + kubectl + " describe elb k3s-api");
      if (demo.api.isRealApi()) {
        out.println("        " + kubectl + " get elb -w");
        out.println("        " + kubectl + " wait --for=condition=Ready elb/k3s-api");
      }
      new DemoScenario(demo, readyWithin).run();
      demo.say("==> scenario complete");
      if (!exitAfterScenario) {
        demo.say("still running: try the kubectl lines above, or curl through a proxy:");
        out.println(
            "        curl --cacert "
                + demo.writeCa()
                + " https://"
                + Demo.LB1_HOST
                + ":"
                + demo.frontendPort
                + "/ping");
        demo.say("press Ctrl-C to stop");
        try {
          stop.await();
        } catch (InterruptedException e) {
          // Ctrl-C: the latch is down too; stop below as usual.
        }
        out.println();
        demo.say("Ctrl-C: stopping the operator, proxies, servers and API server");
      }
    }
    out.println("demo stopped cleanly");
  }
}
