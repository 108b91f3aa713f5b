package dev.fulcrum.proxy.health;

import dev.fulcrum.proxy.api.BackendHealth;
import dev.fulcrum.proxy.api.HealthCheckConfig;
import dev.fulcrum.proxy.balance.Backend;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks one backend again and again with one config, and marks it up or down by rise/fall.
 *
 * <p>Everything but {@link #stop()} runs on its one event loop, so its fields need no lock.
 */
final class HealthChecker {
  private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

  private final Backend backend;
  private final CheckSettings settings;
  private final EventLoop loop;
  private final Class<? extends SocketChannel> channelClass;
  private final CheckCounters counters;
  private final RiseFall riseFall;
  private int passedSincePassiveDown; // on the checker's loop only
  private volatile boolean stopped;
  private ScheduledFuture<?> next;
  private Future<Void> inFlight;

  HealthChecker(
      Backend backend,
      CheckSettings settings,
      EventLoop loop,
      Class<? extends SocketChannel> channelClass,
      CheckCounters counters) {
    this.backend = backend;
    this.settings = settings;
    this.loop = loop;
    this.channelClass = channelClass;
    this.counters = counters;
    HealthCheckConfig c = settings.config();
    this.riseFall = new RiseFall(c.rise(), c.fall());
  }

  /** Runs the first check now; each next one is scheduled when the previous one ends. */
  void start() {
    loop.execute(this::check);
  }

  /** Stops checking: no check starts after this returns, and one in flight is abandoned. */
  void stop() {
    stopped = true;
    try {
      loop.execute(
          () -> {
            if (next != null) {
              next.cancel(false);
            }
            if (inFlight != null) {
              inFlight.cancel(false);
            }
          });
    } catch (RejectedExecutionException e) {
      // The event loops shut down first: nothing is scheduled or in flight any more.
    }
  }

  private void check() {
    if (stopped) {
      return;
    }
    long started = System.nanoTime();
    try {
      inFlight = Probe.run(backend, settings, loop, channelClass);
    } catch (RuntimeException e) {
      // Counted as a failed check rather than ending the checker without a word.
      inFlight = loop.newFailedFuture(e);
    }
    inFlight.addListener(f -> finished(f, System.nanoTime() - started));
  }

  private void finished(Future<?> check, long nanos) {
    if (stopped || check.isCancelled()) {
      return;
    }
    HealthCheckConfig c = settings.config();
    boolean ok = check.isSuccess();
    counters.record(ok, nanos);
    String error = ok ? null : CheckFailure.of(check.cause()).getMessage();
    backend.lastCheckError(error);
    if (!ok) {
      log.debug(
          "{}: {} check of {} failed: {}",
          backend.loadBalancerId(),
          c.mode(),
          backend.endpoint(),
          error);
    }
    switch (riseFall.record(ok, backend.checkedHealth())) {
      case MARK_DOWN ->
          backend.markDown(c.fall() + " failed " + c.mode() + " checks, last: " + error);
      case MARK_UP -> backend.markUp(c.rise() + " passed " + c.mode() + " checks");
      case STAY -> {}
    }
    // Failed dials took it out of rotation while the checks still pass: rise passes bring it back.
    passedSincePassiveDown = ok && backend.passivelyDown() ? passedSincePassiveDown + 1 : 0;
    if (passedSincePassiveDown >= c.rise() && backend.checkedHealth() == BackendHealth.UP) {
      passedSincePassiveDown = 0;
      backend.markUp(c.rise() + " passed " + c.mode() + " checks after failed dials");
    }
    // Measured from the end of this check, so a slow backend is never checked twice at once.
    int delay = backend.isUp() ? c.intervalSeconds() : c.downIntervalSeconds();
    next = loop.schedule(this::check, delay, TimeUnit.SECONDS);
  }
}
