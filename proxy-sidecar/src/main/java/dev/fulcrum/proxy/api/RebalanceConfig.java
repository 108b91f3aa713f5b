package dev.fulcrum.proxy.api;

/**
 * Paced rebalancing of long-lived connections after a backend rejoins.
 *
 * @param closesPerSecond at most this many connections are closed per second (0 turns it off)
 * @param tolerancePercent no backend is touched while every share is within this percent of even
 */
public record RebalanceConfig(Integer closesPerSecond, Integer tolerancePercent) {
  static final RebalanceConfig DEFAULTS = new RebalanceConfig(1, 15);

  RebalanceConfig withDefaults() {
    return new RebalanceConfig(
        HealthCheckConfig.or(closesPerSecond, DEFAULTS.closesPerSecond),
        HealthCheckConfig.or(tolerancePercent, DEFAULTS.tolerancePercent));
  }
}
