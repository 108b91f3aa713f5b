package dev.fulcrum.operator.reconcile;

import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus.BackendState;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus.ProxyState;
import dev.fulcrum.operator.status.ProxyStates;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events for what a user wants to see in {@code kubectl describe}: joins, leaves,
 * proxies.
 */
final class ChangeEvents {
  private static final Logger log = LoggerFactory.getLogger(ChangeEvents.class);

  /** One event to emit. */
  record Change(String type, String reason, String message) {}

  private final KubernetesClient client;

  ChangeEvents(KubernetesClient client) {
    this.client = client;
  }

  /** The changes between two statuses; pure. */
  static List<Change> between(ExternalLoadBalancerStatus before, ExternalLoadBalancerStatus after) {
    List<Change> out = new ArrayList<>();
    Map<String, BackendState> old =
        byName(before == null ? List.of() : before.backends, b -> b.name);
    Map<String, BackendState> now = byName(after.backends, b -> b.name);
    now.forEach(
        (name, b) -> {
          if (serving(b) && !serving(old.get(name))) {
            out.add(
                new Change(
                    "Normal",
                    "BackendAdded",
                    name + " (" + b.address + ":" + b.port + ") joined the backends"));
          }
        });
    old.forEach(
        (name, b) -> {
          if (serving(b) && !serving(now.get(name))) {
            String why = now.containsKey(name) ? "is not Ready" : "is gone or excluded";
            out.add(
                new Change(
                    "Normal",
                    "BackendRemoved",
                    name + " (" + b.address + ":" + b.port + ") left the backends: " + why));
          }
        });
    Map<String, ProxyState> oldProxies =
        byName(before == null ? List.of() : before.proxies, ChangeEvents::proxyKey);
    Map<String, ProxyState> newProxies = byName(after.proxies, ChangeEvents::proxyKey);
    oldProxies.forEach(
        (key, p) -> {
          boolean nowOrphaned = newProxies.containsKey("orphan " + p.name + " " + p.endpoint);
          if (!newProxies.containsKey(key) && !nowOrphaned) { // an orphan gets its own warning
            out.add(
                new Change(
                    "Normal",
                    "ProxyRemoved",
                    "proxy "
                        + p.name
                        + " no longer serves this load balancer"
                        + (ProxyStates.ORPHANED.equals(p.state) ? " (removed at last)" : "")));
          }
        });
    for (ProxyState p : after.proxies) {
      ProxyState was = oldProxies.get(proxyKey(p));
      if (was == null || !p.state.equals(was.state)) {
        boolean bad =
            ProxyStates.UNREACHABLE.equals(p.state)
                || ProxyStates.REFUSED.equals(p.state)
                || ProxyStates.FAILED.equals(p.state)
                || ProxyStates.ORPHANED.equals(p.state);
        String message =
            "proxy " + p.name + " is " + p.state + (p.message == null ? "" : ": " + p.message);
        out.add(new Change(bad ? "Warning" : "Normal", "Proxy" + p.state, message));
      }
    }
    return out;
  }

  void emit(ExternalLoadBalancer elb, List<Change> changes) {
    for (Change c : changes) {
      try {
        String now = Instant.now().toString();
        Event event =
            new EventBuilder()
                .withNewMetadata()
                .withName(
                    elb.getMetadata().getName()
                        + "."
                        + UUID.randomUUID().toString().substring(0, 8))
                .withNamespace(elb.getMetadata().getNamespace())
                .endMetadata()
                .withInvolvedObject(
                    new ObjectReferenceBuilder()
                        .withApiVersion(elb.getApiVersion())
                        .withKind(elb.getKind())
                        .withName(elb.getMetadata().getName())
                        .withNamespace(elb.getMetadata().getNamespace())
                        .withUid(elb.getMetadata().getUid())
                        .build())
                .withType(c.type())
                .withReason(c.reason())
                .withMessage(c.message())
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .withReportingComponent("fulcrum-operator")
                .withNewSource()
                .withComponent("fulcrum-operator")
                .endSource()
                .build();
        client.v1().events().inNamespace(elb.getMetadata().getNamespace()).resource(event).create();
      } catch (RuntimeException e) {
        // Events are a courtesy; a failure to record one must not fail the reconcile.
        log.warn(
            "{}: cannot record event {}: {}", elb.loadBalancerId(), c.reason(), e.getMessage());
      }
    }
  }

  /** A proxy of the spec by name; one that left it (orphaned) apart, as it may share the name. */
  private static String proxyKey(ProxyState p) {
    return ProxyStates.ORPHANED.equals(p.state) ? "orphan " + p.name + " " + p.endpoint : p.name;
  }

  private static boolean serving(BackendState b) {
    return b != null && !Boolean.FALSE.equals(b.nodeReady);
  }

  private static <T> Map<String, T> byName(List<T> items, Function<T, String> name) {
    return items.stream().collect(Collectors.toMap(name, Function.identity(), (a, b) -> a));
  }
}
