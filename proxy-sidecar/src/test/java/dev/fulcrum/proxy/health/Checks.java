package dev.fulcrum.proxy.health;

import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.ClientCertificate;
import dev.fulcrum.proxy.api.HealthCheckConfig;
import dev.fulcrum.proxy.api.HealthCheckMode;
import dev.fulcrum.proxy.balance.Backend;

/** Fast health check configs and backends for tests: 1 s intervals and timeout, rise 2, fall 2. */
final class Checks {
  static final int RISE = 2;
  static final int FALL = 2;

  private Checks() {}

  static HealthCheckConfig config(HealthCheckMode mode) {
    return config(mode, null);
  }

  static HealthCheckConfig config(HealthCheckMode mode, ClientCertificate clientCertificate) {
    boolean https = mode == HealthCheckMode.HTTPS;
    return new HealthCheckConfig(
        mode, 1, 1, RISE, FALL, 1, https ? "/ping" : null, https ? 200 : null, clientCertificate);
  }

  static Backend backend(String name, String host, int port) {
    return new Backend("lb-test", new BackendConfig(name, host, port));
  }
}
