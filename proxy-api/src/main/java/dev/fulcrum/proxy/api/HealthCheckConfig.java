package dev.fulcrum.proxy.api;

/**
 * Active health checking of every backend, with HAProxy's rise/fall semantics.
 *
 * @param mode TCP, TLS (default) or HTTPS
 * @param intervalSeconds seconds between checks of a backend that is up
 * @param downIntervalSeconds seconds between checks of a backend that is down
 * @param rise consecutive successes that bring a down backend up
 * @param fall consecutive failures that take an up backend down
 * @param timeoutSeconds how long one check may take
 * @param path HTTPS only: the request path (K3s answers {@code /ping})
 * @param expectStatus HTTPS only: the status that counts as healthy (default 200)
 * @param clientCertificate HTTPS only: optional client certificate to present
 */
public record HealthCheckConfig(
    HealthCheckMode mode,
    Integer intervalSeconds,
    Integer downIntervalSeconds,
    Integer rise,
    Integer fall,
    Integer timeoutSeconds,
    String path,
    Integer expectStatus,
    ClientCertificate clientCertificate) {

  static final HealthCheckConfig DEFAULTS =
      new HealthCheckConfig(null, null, null, null, null, null, null, null, null);

  /** Fills the defaults: TLS, every 10 s (5 s while down), rise 2, fall 3, 2 s timeout. */
  public HealthCheckConfig {
    mode = mode == null ? HealthCheckMode.TLS : mode;
    intervalSeconds = or(intervalSeconds, 10);
    downIntervalSeconds = or(downIntervalSeconds, 5);
    rise = or(rise, 2);
    fall = or(fall, 3);
    timeoutSeconds = or(timeoutSeconds, 2);
    if (mode == HealthCheckMode.HTTPS) {
      path = path == null || path.isEmpty() ? "/ping" : path;
      expectStatus = or(expectStatus, 200);
    }
  }

  static Integer or(Integer value, Integer fallback) {
    return value == null ? fallback : value;
  }
}
