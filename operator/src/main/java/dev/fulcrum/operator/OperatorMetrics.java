package dev.fulcrum.operator;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The operator's own meters: push latency per proxy and how many proxies are in sync. */
public final class OperatorMetrics {
  private final MeterRegistry registry;
  private final Map<String, AtomicInteger> synced = new ConcurrentHashMap<>();

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** One PUT's round trip, tagged with the proxy and whether it was applied. */
  public void pushed(String loadBalancerId, String proxy, boolean ok, Duration took) {
    Timer.builder("fulcrum.operator.push")
        .description("PUT of a load balancer config to one proxy, until its answer")
        .tags(
            Tags.of("loadbalancer", loadBalancerId, "proxy", proxy, "outcome", ok ? "ok" : "error"))
        .publishPercentileHistogram()
        .register(registry)
        .record(took);
  }

  /** How many proxies serve the desired version of this load balancer. */
  public void proxiesSynced(String loadBalancerId, int count) {
    synced
        .computeIfAbsent(
            loadBalancerId,
            id ->
                registry.gauge(
                    "fulcrum.operator.proxies.synced",
                    Tags.of("loadbalancer", id),
                    new AtomicInteger()))
        .set(count);
  }

  public void forget(String loadBalancerId) {
    AtomicInteger gauge = synced.remove(loadBalancerId);
    if (gauge != null) {
      registry
          .find("fulcrum.operator.proxies.synced")
          .tag("loadbalancer", loadBalancerId)
          .meters()
          .forEach(registry::remove);
    }
  }

  public MeterRegistry registry() {
    return registry;
  }
}
