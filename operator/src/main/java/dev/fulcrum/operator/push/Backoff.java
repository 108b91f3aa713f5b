package dev.fulcrum.operator.push;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Per-proxy exponential backoff for failed pushes: 1 s, 2 s, 4 s … capped at a minute. */
public final class Backoff {
  static final Duration FIRST = Duration.ofSeconds(1);
  static final Duration MAX = Duration.ofSeconds(60);

  private record Failures(int count, long retryAtNanos) {}

  // Keyed by "loadBalancerId/proxyName"; reconciles of one resource never run concurrently.
  private final Map<String, Failures> failures = new ConcurrentHashMap<>();
  private final Duration max;

  public Backoff() {
    this(MAX);
  }

  /** Doubling from 1 s up to {@code max}. */
  public Backoff(Duration max) {
    this.max = max;
  }

  /** Whether a push may be tried now. */
  public boolean allowed(String key, long nowNanos) {
    Failures f = failures.get(key);
    return f == null || nowNanos - f.retryAtNanos >= 0;
  }

  /** How long until the next try is allowed, zero when it is allowed now. */
  public Duration remaining(String key, long nowNanos) {
    Failures f = failures.get(key);
    return f == null ? Duration.ZERO : Duration.ofNanos(Math.max(0, f.retryAtNanos - nowNanos));
  }

  /** Records a failure and returns the wait before the next try. */
  public Duration failed(String key, long nowNanos) {
    Failures previous = failures.get(key);
    int count = previous == null ? 1 : previous.count + 1;
    Duration wait = FIRST.multipliedBy(1L << Math.min(count - 1, 6));
    if (wait.compareTo(max) > 0) {
      wait = max;
    }
    failures.put(key, new Failures(count, nowNanos + wait.toNanos()));
    return wait;
  }

  public void succeeded(String key) {
    failures.remove(key);
  }

  /** Forgets every proxy of a deleted load balancer. */
  public void forget(String loadBalancerId) {
    failures.keySet().removeIf(k -> k.startsWith(loadBalancerId + "/"));
  }
}
