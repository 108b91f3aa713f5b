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
  static final TimeoutsConfig DEFAULTS = new TimeoutsConfig(null, null, null);

  /** Fills the defaults: 5 s to connect, an hour idle, 30 s to drain. */
  public TimeoutsConfig {
    connectSeconds = HealthCheckConfig.or(connectSeconds, 5);
    idleSeconds = HealthCheckConfig.or(idleSeconds, 3600);
    drainSeconds = HealthCheckConfig.or(drainSeconds, 30);
  }
}
