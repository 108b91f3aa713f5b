package dev.fulcrum.proxy.balance;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The admission pace of one backend: at most {@code perSecond} new connections a second (a token
 * bucket holding a tenth of a second's worth, so a burst is spread rather than passed on) and at
 * most {@code inFlight} dials at once. A client over the pace waits in line, first come first
 * served, on its accepted socket; none is refused while the backend is up. After a failover every
 * client of a cluster reconnects at once, and a K3s server that must complete thousands of TLS
 * handshakes in the same second answers none of them in time; paced, the surviving servers take the
 * storm at a rate they can serve.
 *
 * <p>Thread-safe: connections on every event loop take and return slots.
 */
public final class DialPace {
  /** A dial that waits for its turn. */
  public interface Waiter {
    /**
     * Its turn came, on any thread: it owns one in-flight slot, which {@link #dialDone} returns,
     * and must hand over to its own event loop. Also called when the wait ends because the backend
     * went down or is being removed ({@link #flush}): the waiter then picks another backend.
     */
    void admitted();

    /** True once the client left while waiting: it is dropped from the line, taking no slot. */
    boolean gone();
  }

  /** Runs a task after a delay; the pace's only way to wait for its bucket to refill. */
  @FunctionalInterface
  public interface Timer {
    void schedule(Runnable task, long delayNanos);
  }

  /** The shortest wait for a refill: at most a thousand timer runs a second per waiting backend. */
  static final long MIN_REFILL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final LongSupplier clock;
  private final Timer timer;
  // All guarded by this.
  private int perSecond; // 0: unpaced
  private int maxInFlight;
  private double burst;
  private double tokens;
  private long refilledAt;
  private int inFlight;
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  private boolean refillScheduled;
  private long admittedAfterWait; // clients that waited for their turn, ever

  public DialPace(LongSupplier clock, Timer timer) {
    this.clock = clock;
    this.timer = timer;
    this.refilledAt = clock.getAsLong();
    configure(0, Integer.MAX_VALUE);
  }

  /** A pace on the real clock, refilling on one shared daemon thread. */
  public static DialPace onSystemClock() {
    return new DialPace(System::nanoTime, SharedTimer::schedule);
  }

  /**
   * Sets the pace; a waiting client is admitted at once if the new pace allows it.
   *
   * @param newPerSecond new connections a second; 0 turns the rate off
   * @param newMaxInFlight dials at once
   */
  public void configure(int newPerSecond, int newMaxInFlight) {
    List<Waiter> go;
    synchronized (this) {
      long now = clock.getAsLong();
      refill(now);
      if (perSecond == 0 && newPerSecond > 0) {
        tokens = Math.max(1, newPerSecond / 10.0); // a bucket starts full
      }
      perSecond = newPerSecond;
      maxInFlight = newMaxInFlight;
      burst = Math.max(1, newPerSecond / 10.0);
      tokens = Math.min(tokens, burst);
      go = drain(now);
    }
    admit(go);
  }

  /**
   * Takes a slot now (true) or puts the waiter in line (false): it is told by {@link
   * Waiter#admitted} when its turn comes.
   */
  public boolean admitOrWait(Waiter w) {
    List<Waiter> go;
    synchronized (this) {
      long now = clock.getAsLong();
      if (waiting.isEmpty() && take(now)) {
        return true;
      }
      waiting.add(w);
      go = drain(now);
    }
    admit(go);
    return false;
  }

  /** A dial that held a slot ended, connected or not: the slot goes to the next in line. */
  public void dialDone() {
    List<Waiter> go;
    synchronized (this) {
      inFlight--;
      go = drain(clock.getAsLong());
    }
    admit(go);
  }

  /**
   * Ends every wait at once without regard to the pace (the backend went down or is being removed):
   * each waiter gets a slot to return and moves on to another backend.
   */
  public void flush() {
    List<Waiter> go;
    synchronized (this) {
      go = new ArrayList<>(waiting);
      waiting.clear();
      inFlight += go.size();
    }
    admit(go);
  }

  public synchronized int waiting() {
    return waiting.size();
  }

  public synchronized int inFlight() {
    return inFlight;
  }

  public synchronized long admittedAfterWait() {
    return admittedAfterWait;
  }

  private void refill(long now) {
    if (perSecond > 0 && tokens < burst) {
      tokens = Math.min(burst, tokens + (now - refilledAt) * perSecond / 1e9);
    }
    refilledAt = now;
  }

  private boolean take(long now) {
    if (inFlight >= maxInFlight) {
      return false;
    }
    if (perSecond > 0) {
      refill(now);
      if (tokens < 1) {
        return false;
      }
      tokens -= 1;
    }
    inFlight++;
    return true;
  }

  /** Who goes now; schedules the next refill when the line is stuck on the rate alone. */
  private List<Waiter> drain(long now) {
    List<Waiter> go = List.of();
    while (!waiting.isEmpty()) {
      if (waiting.peek().gone()) {
        waiting.poll();
        continue;
      }
      if (!take(now)) {
        break;
      }
      if (go.isEmpty()) {
        go = new ArrayList<>();
      }
      go.add(waiting.poll());
      admittedAfterWait++;
    }
    // Stuck on the in-flight cap: a dialDone() drains. Stuck on the rate: only time does.
    if (!waiting.isEmpty() && inFlight < maxInFlight && !refillScheduled) {
      refillScheduled = true;
      long wait = (long) Math.ceil((1 - tokens) * 1e9 / perSecond);
      timer.schedule(this::refilled, Math.max(MIN_REFILL_NANOS, wait));
    }
    return go;
  }

  private void refilled() {
    List<Waiter> go;
    synchronized (this) {
      refillScheduled = false;
      go = drain(clock.getAsLong());
    }
    admit(go);
  }

  /** Outside the lock: a waiter hands over to its loop, which may take this pace's lock again. */
  private static void admit(List<Waiter> go) {
    for (Waiter w : go) {
      w.admitted();
    }
  }

  @Override
  public synchronized String toString() {
    return "DialPace("
        + perSecond
        + "/s, "
        + inFlight
        + "/"
        + maxInFlight
        + " in flight, "
        + waiting.size()
        + " waiting)";
  }

  /** One daemon thread for every backend's refills, started on the first wait. */
  private static final class SharedTimer {
    private static final ScheduledThreadPoolExecutor EXECUTOR = create();

    static void schedule(Runnable task, long delayNanos) {
      try {
        EXECUTOR.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        task.run(); // never shut down; kept so a waiter can never be stranded
      }
    }

    private static ScheduledThreadPoolExecutor create() {
      ScheduledThreadPoolExecutor e =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread t = new Thread(null, r, "fulcrum-dial-pace", 256 * 1024);
                t.setDaemon(true);
                return t;
              });
      e.setRemoveOnCancelPolicy(true);
      return e;
    }
  }
}
