package dev.fulcrum.proxy.metrics;

import dev.fulcrum.proxy.balance.Backend;
import dev.fulcrum.proxy.health.CheckCounters;
import dev.fulcrum.proxy.net.uring.BufferBudget;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The proxy's Micrometer meters, per load balancer and backend; they read the backends' own
 * counters at scrape time, so the data plane does no metrics work per byte or per connection.
 */
public final class ProxyMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  // Keyed by lb|name|endpoint, so a backend re-added under the same tags replaces its meters.
  private final Map<String, Registered> backends = new ConcurrentHashMap<>();
  private final Map<String, Gauge> appliedInfo = new ConcurrentHashMap<>();

  private record Registered(Backend backend, List<Meter> meters) {}

  public ProxyMetrics() {
    FunctionCounter.builder(
            "fulcrum.direct.memory.waits", BufferBudget.class, c -> BufferBudget.waits())
        .description(
            "Receives that found direct memory at its limit (MaxDirectMemorySize) and waited")
        .register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Counts an admin API request by method and answered status, so an operator that resends nothing
   * after a restart can be seen to (fulcrum_admin_requests_total{method="PUT"}).
   */
  public void adminRequest(String method, int status) {
    registry
        .counter("fulcrum.admin.requests", "method", method, "code", Integer.toString(status))
        .increment();
  }

  /** Registers the meters of a backend that joined a load balancer. */
  public synchronized void backendAdded(Backend b) {
    String key = key(b);
    Registered old = backends.get(key);
    if (old != null) {
      remove(key, old);
    }
    Tags tags =
        Tags.of("lb", b.loadBalancerId(), "backend", b.config().name(), "endpoint", b.endpoint());
    Timer dial =
        Timer.builder("fulcrum.backend.dial.latency")
            .description("Time to establish a TCP connection to the backend")
            .tags(tags)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    List<Meter> meters =
        List.of(
            gauge(
                "fulcrum.backend.connections.active",
                "Open proxied connections",
                b,
                Backend::activeConnections,
                tags),
            counter(
                "fulcrum.backend.connections",
                "Proxied connections opened",
                b,
                Backend::totalConnections,
                tags,
                null),
            counter(
                "fulcrum.backend.sent",
                "Bytes sent to the backend",
                b,
                Backend::bytesToBackend,
                tags,
                "bytes"),
            counter(
                "fulcrum.backend.received",
                "Bytes received from the backend",
                b,
                Backend::bytesFromBackend,
                tags,
                "bytes"),
            counter(
                "fulcrum.backend.connect.failures",
                "Failed dials",
                b,
                Backend::connectFailures,
                tags,
                null),
            gauge(
                "fulcrum.backend.up",
                "1 while the backend is up, 0 while down",
                b,
                x -> x.isUp() ? 1 : 0,
                tags),
            counter(
                "fulcrum.backend.health.transitions",
                "Up/down changes",
                b,
                Backend::transitions,
                tags,
                null),
            gauge(
                "fulcrum.backend.dials.waiting",
                "Clients waiting for their turn under the admission pace",
                b,
                x -> x.pace().waiting(),
                tags),
            counter(
                "fulcrum.backend.dials.paced",
                "Clients that waited for their turn under the admission pace",
                b,
                x -> x.pace().admittedAfterWait(),
                tags,
                null),
            dial);
    b.dialLatencyRecorder(nanos -> dial.record(nanos, TimeUnit.NANOSECONDS));
    backends.put(key, new Registered(b, meters));
  }

  private Meter gauge(String name, String help, Backend b, ToDoubleFunction<Backend> f, Tags tags) {
    return Gauge.builder(name, b, f)
        .description(help)
        .tags(tags)
        .strongReference(true)
        .register(registry);
  }

  private Meter counter(
      String name,
      String help,
      Backend b,
      ToDoubleFunction<Backend> f,
      Tags tags,
      String baseUnit) {
    return FunctionCounter.builder(name, b, f)
        .description(help)
        .tags(tags)
        .baseUnit(baseUnit)
        .register(registry);
  }

  /** Adds the active health-check counters of a backend registered by {@link #backendAdded}. */
  public synchronized void healthChecks(Backend b, CheckCounters counters) {
    Registered r = backends.get(key(b));
    if (r == null || r.backend() != b || counters == null) {
      return;
    }
    Tags tags =
        Tags.of("lb", b.loadBalancerId(), "backend", b.config().name(), "endpoint", b.endpoint());
    List<Meter> meters = new ArrayList<>(r.meters());
    meters.add(
        FunctionCounter.builder("fulcrum.backend.health.checks", counters, CheckCounters::checks)
            .description("Active health checks run")
            .tags(tags)
            .register(registry));
    meters.add(
        FunctionCounter.builder(
                "fulcrum.backend.health.check.failures", counters, CheckCounters::failures)
            .description("Active health checks that failed")
            .tags(tags)
            .register(registry));
    backends.put(key(b), new Registered(b, List.copyOf(meters)));
  }

  /** Removes the meters of a backend that left. */
  public synchronized void backendRemoved(Backend b) {
    String key = key(b);
    Registered r = backends.get(key);
    if (r != null && r.backend() == b) {
      remove(key, r);
    }
  }

  private void remove(String key, Registered r) {
    r.backend().dialLatencyRecorder(nanos -> {});
    r.meters().forEach(registry::remove);
    backends.remove(key);
  }

  /** Records that a load balancer now serves this version. */
  public synchronized void applied(String loadBalancerId, String version) {
    Gauge old = appliedInfo.get(loadBalancerId);
    if (old != null) {
      if (version.equals(old.getId().getTag("version"))) {
        return;
      }
      registry.remove(old);
    }
    appliedInfo.put(
        loadBalancerId,
        Gauge.builder("fulcrum.loadbalancer.applied.info", () -> 1)
            .description("The config version a load balancer serves (always 1)")
            .tags("lb", loadBalancerId, "version", version)
            .register(registry));
  }

  /** Removes a load balancer's meters. */
  public synchronized void loadBalancerRemoved(String loadBalancerId) {
    Gauge info = appliedInfo.remove(loadBalancerId);
    if (info != null) {
      registry.remove(info);
    }
    backends.entrySet().stream()
        .filter(e -> e.getValue().backend().loadBalancerId().equals(loadBalancerId))
        .toList()
        .forEach(e -> remove(e.getKey(), e.getValue()));
  }

  /** Text exposition for /metrics. */
  public String scrape() {
    return registry.scrape();
  }

  private static String key(Backend b) {
    return b.loadBalancerId() + "|" + b.config().name() + "|" + b.endpoint();
  }
}
