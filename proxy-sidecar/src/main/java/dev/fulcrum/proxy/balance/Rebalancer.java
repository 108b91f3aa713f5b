package dev.fulcrum.proxy.balance;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Paced rebalancing, opt-in: after a backend joins or rejoins, while one backend's share of
 * connections is far from even, closes the oldest connection (never one younger than {@link
 * #MIN_AGE}) of the most loaded backend, one per tick, at no more than the configured rate. Drift
 * without a rejoin is left alone.
 */
public final class Rebalancer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Rebalancer.class);

  /** A connection younger than this is never closed to rebalance: it has just chosen. */
  public static final Duration MIN_AGE = Duration.ofSeconds(30);

  private final String loadBalancerId;
  private final ScheduledExecutorService scheduler;
  private volatile BackendPool pool;
  // Guarded by this: the tick schedule and its rate (update and close come from the engine).
  private ScheduledFuture<?> ticks;
  private int rate;
  private boolean closed;
  // Touched only by ticks, which the single scheduler thread runs one after another.
  private boolean rebalancing;
  private Set<Backend> lastUp = Set.of();

  public Rebalancer(String loadBalancerId, ScheduledExecutorService scheduler) {
    this.loadBalancerId = loadBalancerId;
    this.scheduler = scheduler;
  }

  /** Rebalances over this pool from now on (its config carries rate and tolerance). */
  public synchronized void update(BackendPool next) {
    pool = next;
    int wanted = next.config().rebalance().closesPerSecond();
    if (closed || (wanted == rate && (ticks != null || wanted == 0))) {
      return;
    }
    stopTicks();
    rate = wanted;
    if (wanted > 0) {
      long periodNanos = TimeUnit.SECONDS.toNanos(1) / wanted;
      // Fixed delay, not fixed rate: a late tick never lets closes bunch up to catch up.
      ticks =
          scheduler.scheduleWithFixedDelay(
              this::tick, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }
    log.info(
        "{}: paced rebalancing {}",
        loadBalancerId,
        wanted > 0 ? "at up to " + wanted + " closes/s" : "off");
  }

  private void tick() {
    try {
      BackendPool p = pool;
      int tolerance = p.config().rebalance().tolerancePercent();
      List<Backend> up = p.backends().stream().filter(b -> b.isUp() && !b.draining()).toList();
      boolean rejoined = !lastUp.isEmpty() && !lastUp.containsAll(up);
      lastUp = Set.copyOf(up);
      if (!rebalancing && !rejoined) {
        return; // only a join or rejoin starts rebalancing, never ordinary drift
      }
      Backend busiest = overloaded(up, tolerance);
      if (busiest == null) {
        if (rebalancing) {
          log.info(
              "{}: connections within {}% of even ({}); rebalancing done",
              loadBalancerId, tolerance, spread(up));
          rebalancing = false;
        }
        return;
      }
      if (rejoined) {
        log.info(
            "{}: connections more than {}% off even ({}); closing the oldest on the busiest"
                + " backend at up to {}/s",
            loadBalancerId, tolerance, spread(up), p.config().rebalance().closesPerSecond());
        rebalancing = true;
      }
      long youngest = System.nanoTime() - MIN_AGE.toNanos();
      busiest.connections().stream()
          .min(Comparator.comparingLong(Connection::openedAtNanos))
          .filter(c -> c.openedAtNanos() <= youngest)
          .ifPresent(
              oldest -> {
                log.info(
                    "{}: rebalancing: closing the oldest connection of {} ({})",
                    loadBalancerId,
                    busiest.endpoint(),
                    spread(up));
                oldest.close("rebalancing: " + busiest.endpoint() + " holds more than its share");
              });
    } catch (RuntimeException e) {
      // An exception would silently cancel the schedule; log and keep ticking instead.
      log.warn("{}: rebalancing tick failed", loadBalancerId, e);
    }
  }

  /**
   * The backend to take a connection from, or null when every share is within {@code
   * tolerancePercent} of even or moving one connection cannot make it more even.
   */
  static Backend overloaded(List<Backend> up, int tolerancePercent) {
    if (up.size() < 2) {
      return null;
    }
    // One read per backend: the counts move under us as connections open and close.
    int[] counts = up.stream().mapToInt(Backend::activeConnections).toArray();
    int most = 0;
    int least = 0;
    long total = 0;
    for (int i = 0; i < counts.length; i++) {
      total += counts[i];
      most = counts[i] > counts[most] ? i : most;
      least = counts[i] < counts[least] ? i : least;
    }
    if (counts[most] - counts[least] < 2) {
      return null;
    }
    double fair = (double) total / counts.length;
    double off = Math.max(counts[most] - fair, fair - counts[least]) / fair * 100;
    return off > tolerancePercent ? up.get(most) : null;
  }

  private static String spread(List<Backend> up) {
    return up.stream()
        .map(b -> b.config().name() + "=" + b.activeConnections())
        .collect(Collectors.joining(" "));
  }

  private void stopTicks() {
    if (ticks != null) {
      ticks.cancel(false);
      ticks = null;
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    stopTicks();
  }
}
