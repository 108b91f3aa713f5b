package dev.fulcrum.proxy.balance;

import dev.fulcrum.proxy.api.LoadBalancerConfig;
import java.util.List;

/**
 * The immutable snapshot a frontend serves: the applied config, its live backends and balancer.
 * Swapped whole; read once per new connection.
 */
public record BackendPool(LoadBalancerConfig config, List<Backend> backends, Balancer balancer) {
  public BackendPool {
    backends = List.copyOf(backends);
  }
}
