package dev.fulcrum.operator.telemetry;

import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import dev.fulcrum.operator.push.Observation;
import dev.fulcrum.operator.push.PushMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator's own meters: push latency, proxies in sync, and what the alerts watch (proxies
 * listed and reachable, certificate coverage, conditions, leadership).
 */
public final class OperatorMetrics implements PushMetrics {
  private final MeterRegistry registry;
  private final Map<String, AtomicInteger> synced = new ConcurrentHashMap<>();
  private final AtomicInteger leader = new AtomicInteger();
  private final LabelledGauges proxies;
  private final LabelledGauges reachable;
  private final LabelledGauges coverage;
  private final LabelledGauges conditions;
  private final LabelledGauges vipHolders;
  private final LabelledGauges vipHeld;

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.proxies =
        new LabelledGauges(
            registry, "fulcrum.operator.proxies", "Proxies listed in the load balancer's spec");
    this.reachable =
        new LabelledGauges(
            registry,
            "fulcrum.operator.proxy.reachable",
            "1 when the proxy's admin API answered the last query, 0 when it could not be asked");
    this.coverage =
        new LabelledGauges(
            registry,
            "fulcrum.operator.backend.certificate.covers.address",
            "1 when the server's TLS certificate names the registration address, 0 when it does not");
    this.conditions =
        new LabelledGauges(
            registry,
            "fulcrum.operator.condition",
            "1 when the resource's condition (Ready, Progressing, Degraded) is True, else 0");
    this.vipHolders =
        new LabelledGauges(
            registry,
            "fulcrum.operator.vip.holders",
            "How many of the load balancer's proxies hold its virtual IP (exported when it has one)");
    this.vipHeld =
        new LabelledGauges(
            registry,
            "fulcrum.operator.proxy.vip.held",
            "1 when the proxy says it holds the load balancer's virtual IP, 0 when it does not");
    Gauge.builder("fulcrum.operator.leader", leader, AtomicInteger::get)
        .description("1 while this replica leads (or runs without leader election), else 0")
        .register(registry);
  }

  /** Whether this replica pushes now: set on gaining and losing the leader Lease. */
  public void leading(boolean yes) {
    leader.set(yes ? 1 : 0);
  }

  /** What one sync saw and wrote to status, as gauges (replacing the load balancer's last ones). */
  public void observed(
      String loadBalancerId,
      boolean hasVip,
      ExternalLoadBalancerStatus status,
      List<Observation> seen) {
    vipHolders.set(
        loadBalancerId,
        hasVip
            ? Map.of(
                Tags.of("loadbalancer", loadBalancerId),
                (int) seen.stream().filter(o -> Boolean.TRUE.equals(o.vipHeld())).count())
            : Map.of());
    Map<Tags, Integer> held = new HashMap<>();
    if (hasVip) {
      seen.stream()
          .filter(o -> o.vipHeld() != null)
          .forEach(
              o ->
                  held.put(
                      Tags.of("loadbalancer", loadBalancerId, "proxy", o.proxy()),
                      o.vipHeld() ? 1 : 0));
    }
    vipHeld.set(loadBalancerId, held);
    proxies.set(loadBalancerId, Map.of(Tags.of("loadbalancer", loadBalancerId), seen.size()));
    Map<Tags, Integer> up = new HashMap<>();
    seen.forEach(
        o ->
            up.put(
                Tags.of("loadbalancer", loadBalancerId, "proxy", o.proxy()),
                o.reachable() ? 1 : 0));
    reachable.set(loadBalancerId, up);
    Map<Tags, Integer> covers = new HashMap<>();
    status.backends.stream()
        .filter(b -> b.certificateCoversAddress != null)
        .forEach(
            b ->
                covers.put(
                    Tags.of("loadbalancer", loadBalancerId, "backend", b.name),
                    b.certificateCoversAddress ? 1 : 0));
    coverage.set(loadBalancerId, covers);
    Map<Tags, Integer> conds = new HashMap<>();
    status.conditions.forEach(
        c ->
            conds.put(
                Tags.of("loadbalancer", loadBalancerId, "type", c.getType()),
                "True".equals(c.getStatus()) ? 1 : 0));
    conditions.set(loadBalancerId, conds);
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
  @Override
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

  @Override
  public void forget(String loadBalancerId) {
    proxies.forget(loadBalancerId);
    reachable.forget(loadBalancerId);
    coverage.forget(loadBalancerId);
    conditions.forget(loadBalancerId);
    vipHolders.forget(loadBalancerId);
    vipHeld.forget(loadBalancerId);
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
