package dev.fulcrum.operator.telemetry;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** One gauge name with a series per label set, replaced whole per load balancer. */
final class LabelledGauges {
  private final MeterRegistry registry;
  private final String name;
  private final String description;
  private final Map<Tags, AtomicInteger> values = new ConcurrentHashMap<>();

  LabelledGauges(MeterRegistry registry, String name, String description) {
    this.registry = registry;
    this.name = name;
    this.description = description;
  }

  /** The load balancer's series become exactly {@code series}; the others of it are removed. */
  synchronized void set(String loadBalancerId, Map<Tags, Integer> series) {
    Tag lb = Tag.of("loadbalancer", loadBalancerId);
    values.keySet().stream()
        .filter(t -> t.stream().anyMatch(lb::equals) && !series.containsKey(t))
        .toList()
        .forEach(this::remove);
    series.forEach(
        (tags, v) ->
            values
                .computeIfAbsent(
                    tags,
                    t -> {
                      AtomicInteger value = new AtomicInteger();
                      Gauge.builder(name, value, AtomicInteger::get)
                          .description(description)
                          .tags(t)
                          .register(registry);
                      return value;
                    })
                .set(v));
  }

  synchronized void forget(String loadBalancerId) {
    set(loadBalancerId, Map.of());
  }

  private void remove(Tags tags) {
    values.remove(tags);
    registry.find(name).tags(tags).meters().forEach(registry::remove);
  }
}
