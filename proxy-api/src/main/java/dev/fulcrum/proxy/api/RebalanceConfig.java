package dev.fulcrum.proxy.api;

/**
 * Paced rebalancing of long-lived connections after a backend rejoins; off by default, since the
 * oldest connections are often {@code kubectl exec}, {@code logs -f} and port-forwards.
 *
 * @param closesPerSecond at most this many connections are closed per second (0, the default, turns
 *     it off)
 * @param tolerancePercent no backend is touched while every share is within this percent of even
 */
public record RebalanceConfig(Integer closesPerSecond, Integer tolerancePercent) {
  static final RebalanceConfig DEFAULTS = new RebalanceConfig(null, null);

  /** Fills the defaults: off, 15 percent. */
  public RebalanceConfig {
    closesPerSecond = HealthCheckConfig.or(closesPerSecond, 0);
    tolerancePercent = HealthCheckConfig.or(tolerancePercent, 15);
  }
}
