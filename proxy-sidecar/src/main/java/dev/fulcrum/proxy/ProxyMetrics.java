package dev.fulcrum.proxy;

import dev.fulcrum.proxy.balance.Backend;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The proxy's Micrometer meters, per load balancer and backend. SKELETON: the admin helper fills in
 * the meters.
 */
public final class ProxyMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Registers the meters of a backend that joined a load balancer. */
  public void backendAdded(Backend backend) {}

  /** Removes the meters of a backend that left. */
  public void backendRemoved(Backend backend) {}

  /** Records that a load balancer now serves this version. */
  public void applied(String loadBalancerId, String version) {}

  /** Removes a load balancer's meters. */
  public void loadBalancerRemoved(String loadBalancerId) {}

  /** Text exposition for /metrics. */
  public String scrape() {
    return registry.scrape();
  }
}
