package dev.fulcrum.proxy.api;

/**
 * How fast new clients reach each backend: the reconnect-storm guard. After a VIP failover or a
 * server restart every agent, kubelet and watch reconnects at once; paced, each surviving server
 * receives new connections at a rate it can complete TLS handshakes for, and clients over the pace
 * wait on their accepted connection (none is refused while a server is up).
 *
 * @param newConnectionsPerSecond new connections a second to one backend, spread evenly (a tenth of
 *     a second's worth may go at once); 0 turns the rate off. The default, 1000, admits 10,000
 *     clients within about 3.5 seconds on three servers.
 * @param dialsInFlight connection attempts to one backend at once; a server whose accept queue is
 *     full answers none, and this bounds how many clients wait on it for their connect timeout
 */
public record AdmissionConfig(Integer newConnectionsPerSecond, Integer dialsInFlight) {
  static final AdmissionConfig DEFAULTS = new AdmissionConfig(null, null);

  /** Fills the defaults: 1000 a second, 256 dials in flight. */
  public AdmissionConfig {
    newConnectionsPerSecond = HealthCheckConfig.or(newConnectionsPerSecond, 1000);
    dialsInFlight = HealthCheckConfig.or(dialsInFlight, 256);
  }
}
