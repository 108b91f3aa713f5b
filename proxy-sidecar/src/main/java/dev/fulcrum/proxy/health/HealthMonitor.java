package dev.fulcrum.proxy.health;

import dev.fulcrum.proxy.api.HealthCheckConfig;
import dev.fulcrum.proxy.balance.Backend;
import dev.fulcrum.proxy.net.Transport;
import java.util.List;

/**
 * Active health checks for one load balancer's backends, with rise/fall. SKELETON: the health
 * helper implements it.
 */
public final class HealthMonitor implements AutoCloseable {
  public HealthMonitor(String loadBalancerId, Transport transport) {}

  /** Checks exactly these backends with this config from now on; stops checks of others. */
  public void update(List<Backend> backends, HealthCheckConfig config) {}

  @Override
  public void close() {}
}
