package dev.fulcrum.proxy.health;

import java.util.concurrent.atomic.LongAdder;

/**
 * Health check counts of one backend, kept across re-configurations so metrics can expose them as
 * monotonic counters.
 */
public final class CheckCounters {
  private final LongAdder checks = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private volatile long lastDurationNanos;

  void record(boolean success, long durationNanos) {
    checks.increment();
    if (!success) {
      failures.increment();
    }
    lastDurationNanos = durationNanos;
  }

  /** Checks completed, successful or not. */
  public long checks() {
    return checks.sum();
  }

  /** Checks that failed. */
  public long failures() {
    return failures.sum();
  }

  /** How long the last completed check took. */
  public long lastDurationNanos() {
    return lastDurationNanos;
  }
}
