package dev.fulcrum.proxy.api;

/**
 * Connection timeouts.
 *
 * @param connectSeconds how long a dial to one backend may take before the next is tried
 * @param idleSeconds a proxied connection with no traffic either way for this long is closed
 *     (within a second after it: each event loop checks its connections once a second)
 * @param drainSeconds a backend removed while healthy keeps its connections this long
 */
public record TimeoutsConfig(Integer connectSeconds, Integer idleSeconds, Integer drainSeconds) {
  static final TimeoutsConfig DEFAULTS = new TimeoutsConfig(5, 3600, 30);

  TimeoutsConfig withDefaults() {
    return new TimeoutsConfig(
        HealthCheckConfig.or(connectSeconds, DEFAULTS.connectSeconds),
        HealthCheckConfig.or(idleSeconds, DEFAULTS.idleSeconds),
        HealthCheckConfig.or(drainSeconds, DEFAULTS.drainSeconds));
  }
}
