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
      new HealthCheckConfig(HealthCheckMode.TLS, 10, 5, 2, 3, 2, null, null, null);

  HealthCheckConfig withDefaults() {
    HealthCheckMode m = mode == null ? DEFAULTS.mode : mode;
    boolean https = m == HealthCheckMode.HTTPS;
    return new HealthCheckConfig(
        m,
        or(intervalSeconds, DEFAULTS.intervalSeconds),
        or(downIntervalSeconds, DEFAULTS.downIntervalSeconds),
        or(rise, DEFAULTS.rise),
        or(fall, DEFAULTS.fall),
        or(timeoutSeconds, DEFAULTS.timeoutSeconds),
        https ? (path == null || path.isEmpty() ? "/ping" : path) : path,
        https ? or(expectStatus, 200) : expectStatus,
        clientCertificate);
  }

  static Integer or(Integer value, Integer fallback) {
    return value == null ? fallback : value;
  }
}
