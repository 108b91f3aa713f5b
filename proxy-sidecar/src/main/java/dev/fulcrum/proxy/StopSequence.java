package dev.fulcrum.proxy;

import dev.fulcrum.proxy.engine.ProxyEngine;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM (or SIGINT): /readyz fails at once, the proxy keeps serving for the shutdown delay (so
 * keepalived moves the VIP first), then stops accepting and lets connections drain; the process
 * exits by the end of the drain time whatever its event loops are doing. A second signal exits at
 * once.
 */
final class StopSequence {
  private static final Logger log = LoggerFactory.getLogger(StopSequence.class);

  /** Past delay + drain, what closing may take before the process halts regardless. */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  static final int FORCED_EXIT = 143; // 128 + SIGTERM, as a signal's default would

  private final Duration delay;
  private final Duration drain;
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile ProxyMain proxy; // null while starting
  private volatile Signal early; // a signal that came while starting

  private StopSequence(Duration delay, Duration drain) {
    this.delay = delay;
    this.drain = drain;
  }

  /** Takes over SIGTERM and SIGINT, before the proxy starts, so no signal finds it unprepared. */
  static StopSequence install(Duration delay, Duration drain) {
    StopSequence stop = new StopSequence(delay, drain);
    Signal.handle(new Signal("TERM"), stop::signalled);
    Signal.handle(new Signal("INT"), stop::signalled);
    return stop;
  }

  /** The proxy is up: a signal runs the whole sequence (one that came while starting, now). */
  synchronized void started(ProxyMain proxy) {
    this.proxy = proxy;
    if (early != null) {
      signalled(early);
    }
  }

  private synchronized void signalled(Signal signal) {
    if (proxy == null) {
      if (early != null) {
        Runtime.getRuntime().halt(FORCED_EXIT); // a second signal while starting
      }
      log.info("SIG{} while starting: stopping once started", signal.getName());
      early = signal;
      return;
    }
    if (!started.compareAndSet(false, true)) {
      log.warn("second SIG{}: exiting now, cutting {} connections", signal.getName(), active());
      Runtime.getRuntime().halt(FORCED_EXIT);
    }
    log.info(
        "SIG{}: readiness off, serving {} s more, then draining for up to {} s",
        signal.getName(),
        delay.toSeconds(),
        drain.toSeconds());
    Thread watchdog =
        new Thread(
            () -> {
              pause(delay.plus(drain).plus(CLOSE_GRACE));
              log.warn("the stop did not finish in time: exiting now");
              Runtime.getRuntime().halt(FORCED_EXIT);
            },
            "fulcrum-stop-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    Thread stopper = new Thread(this::run, "fulcrum-stop");
    stopper.setDaemon(true);
    stopper.start();
  }

  private void run() {
    ProxyEngine engine = proxy.engine();
    engine.beginStop();
    pause(delay);
    engine.stopAccepting();
    long deadline = System.nanoTime() + drain.toNanos();
    int left = active();
    log.info("stopped accepting; draining {} connections", left);
    while (left > 0 && System.nanoTime() < deadline) {
      pause(Duration.ofMillis(100));
      left = active();
    }
    if (left > 0) {
      log.info("drain time over: closing {} connections", left);
    } else {
      log.info("every connection has ended");
    }
    proxy.close();
    log.info("stopped");
    System.exit(0);
  }

  private int active() {
    return proxy.engine().activeConnections();
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
