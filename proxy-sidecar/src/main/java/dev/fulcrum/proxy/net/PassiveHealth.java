package dev.fulcrum.proxy.net;

import dev.fulcrum.proxy.api.HealthCheckConfig;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.balance.Backend;
import java.util.concurrent.TimeUnit;

/**
 * What a failed dial means, the same on both data planes: {@code fall} in a row within {@code fall}
 * check intervals take the backend out of new connections' picks; none closes a connection.
 */
final class PassiveHealth {
  private PassiveHealth() {}

  static void dialFailed(Backend backend, LoadBalancerConfig config, String why) {
    HealthCheckConfig hc = config.healthCheck();
    int fall = hc == null || hc.fall() == null ? 3 : hc.fall();
    int interval = hc == null || hc.intervalSeconds() == null ? 10 : hc.intervalSeconds();
    backend.dialFailed(
        why, fall, TimeUnit.SECONDS.toNanos((long) fall * interval), System.nanoTime());
  }
}
