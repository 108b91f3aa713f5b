package dev.fulcrum.operator.push;

/**
 * The epoch stamped on every push, which each proxy fences per load balancer: a push below the
 * highest it accepted for that load balancer is refused. Production uses {@link LeaderEpoch}.
 */
@FunctionalInterface
public interface EpochSource {
  long current();

  /**
   * A proxy fences a load balancer at {@code fence}, above {@link #current()}: raise the epoch past
   * it if this operator may (it still leads). True when {@link #current()} is now above it.
   */
  default boolean raisePast(long fence) {
    return current() > fence;
  }

  /** A fixed epoch 0 that never rises: for tests that play one operator on fresh proxies. */
  static EpochSource none() {
    return () -> 0L;
  }
}
