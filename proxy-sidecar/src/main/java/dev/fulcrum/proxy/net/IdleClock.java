package dev.fulcrum.proxy.net;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The time the idle sweep reads, and how often it runs: {@link #SYSTEM} in the product; a test may
 * give a clock it moves itself, so idle timeouts pass without waiting for them.
 *
 * @param nanos a monotonic clock in nanoseconds, as {@link System#nanoTime()}
 * @param period how often each event loop sweeps its connections
 */
public record IdleClock(LongSupplier nanos, Duration period) {
  public static final IdleClock SYSTEM = new IdleClock(System::nanoTime, Duration.ofSeconds(1));
}
