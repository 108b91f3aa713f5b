package dev.fulcrum.operator;

import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.desired.BackendSelection;
import dev.fulcrum.operator.desired.JoinDebounce;
import dev.fulcrum.operator.desired.SpecMapping;
import dev.fulcrum.operator.desired.SpecValidator;
import dev.fulcrum.operator.push.Observation;
import dev.fulcrum.operator.push.ProxyClient;
import dev.fulcrum.operator.push.ProxyCredentials;
import dev.fulcrum.operator.push.PushResult;
import dev.fulcrum.operator.status.StatusBuilder;
import dev.fulcrum.operator.status.SyncFacts;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One reconcile of one load balancer: select backends, ask every proxy, push where it lags, and
 * compute the status. The reconciler hands it the informers' view and writes what it returns.
 */
public final class LoadBalancerSync {
  /** The status to write and when to look again. */
  public record Outcome(ExternalLoadBalancerStatus status, Duration nextCheck) {}

  /** How soon a leader that raised its epoch past a proxy's fence pushes again. */
  static final Duration RAISED_RETRY = Duration.ofMillis(100);

  private final ProxyClient client;
  private final ProxyPushes pushes;
  private final JoinDebounce debounce;
  private final EpochSource epoch;
  private final Duration poll;
  private final Clock clock;
  private final OperatorMetrics metrics;

  public LoadBalancerSync(
      ProxyClient client,
      OperatorMetrics metrics,
      EpochSource epoch,
      Duration joinDebounce,
      Duration poll,
      Clock clock) {
    this.client = client;
    this.metrics = metrics;
    this.pushes = new ProxyPushes(client, metrics);
    this.debounce = new JoinDebounce(joinDebounce);
    this.epoch = epoch;
    this.poll = poll;
    this.clock = clock;
  }

  public Outcome sync(ExternalLoadBalancer elb, Collection<Node> nodes, Secret secret) {
    ExternalLoadBalancerSpec spec = elb.getSpec();
    ExternalLoadBalancerStatus previous = elb.getStatus();
    long generation =
        elb.getMetadata().getGeneration() == null ? 0 : elb.getMetadata().getGeneration();
    List<String> problems = SpecValidator.problems(spec);
    if (!problems.isEmpty()) {
      SyncFacts facts = SyncFacts.invalid(generation, spec, problems);
      return new Outcome(StatusBuilder.build(previous, facts, clock.instant()), poll);
    }
    String id = elb.loadBalancerId();
    BackendSelection selection = BackendSelection.select(nodes, spec.backends);
    ProxyCredentials creds;
    try {
      creds = credentials(elb, secret);
    } catch (IllegalArgumentException e) {
      SyncFacts facts =
          new SyncFacts(
              generation,
              spec,
              List.of(),
              e.getMessage(),
              selection,
              null,
              List.of(),
              Map.of(),
              false);
      return new Outcome(StatusBuilder.build(previous, facts, clock.instant()), poll);
    }
    List<Observation> seen = observeAll(spec.proxies, id, creds);
    long fence = highestFence(seen);
    if (fence > epoch.current()) {
      epoch.raisePast(fence); // a leader meets a fence above its token; a deposed one does not
    }
    LoadBalancerConfig desired =
        selection.enough()
            ? SpecMapping.toConfig(spec, selection.backends(), epoch.current())
            : null;
    Duration next = poll;
    boolean joinPending = false;
    Map<String, PushResult> results = Map.of();
    if (desired != null) {
      Duration wait =
          debounce.delay(
              id,
              ProxyPushes.served(seen),
              desired.backends(),
              desired.version(),
              System.nanoTime());
      if (!wait.isZero()) {
        joinPending = true;
        next = wait;
      } else {
        ProxyPushes.Round round = pushes.pushLagging(spec.proxies, id, desired, seen, creds);
        results = round.results();
        seen = round.observations();
        next = min(next, round.retryIn());
        for (PushResult r : results.values()) {
          // A fence the observation could not show (a load balancer deleted from the proxy
          // keeps its fence): raised, the next reconcile pushes again at once.
          if (r.fenced() && r.fence() > desired.epoch() && epoch.raisePast(r.fence())) {
            pushes.retrySoon(id, r.proxy()); // no backoff: the next push carries a new epoch
            next = min(next, RAISED_RETRY);
          }
        }
      }
    }
    next = min(next, pushes.retryUnreachable(id, seen));
    pushes.recordSynced(id, seen, desired);
    SyncFacts facts =
        new SyncFacts(
            generation,
            spec,
            List.of(),
            null,
            selection,
            desired == null ? null : desired.version(),
            seen,
            results,
            joinPending);
    ExternalLoadBalancerStatus status = StatusBuilder.build(previous, facts, clock.instant());
    metrics.observed(id, spec.frontend != null && spec.frontend.virtualIP != null, status, seen);
    return new Outcome(status, next);
  }

  /** deletionPolicy Clear: DELETE from every proxy; the errors left, empty when all are done. */
  public List<String> clear(ExternalLoadBalancer elb, Secret secret) {
    ProxyCredentials creds = credentials(elb, secret);
    String id = elb.loadBalancerId();
    List<CompletableFuture<String>> calls =
        elb.getSpec().proxies.stream().map(p -> client.delete(p, id, creds)).toList();
    List<String> errors =
        calls.stream().map(CompletableFuture::join).filter(e -> e != null).toList();
    if (errors.isEmpty()) {
      forget(id);
    }
    return errors;
  }

  public void forget(String id) {
    debounce.forget(id);
    pushes.forget(id);
  }

  private List<Observation> observeAll(List<ProxySpec> proxies, String id, ProxyCredentials creds) {
    List<CompletableFuture<Observation>> calls =
        proxies.stream().map(p -> client.observe(p, id, creds)).toList();
    return calls.stream().map(CompletableFuture::join).toList();
  }

  private static ProxyCredentials credentials(ExternalLoadBalancer elb, Secret secret) {
    if (secret == null) {
      throw new IllegalArgumentException(
          "Secret "
              + elb.getSpec().credentialsSecretRef.name
              + " (spec.credentialsSecretRef) not found in namespace "
              + elb.getMetadata().getNamespace());
    }
    return ProxyCredentials.from(secret);
  }

  /** The highest epoch any proxy reports for this load balancer, 0 when none serves it. */
  private static long highestFence(List<Observation> seen) {
    long highest = 0;
    for (Observation o : seen) {
      if (o.loadBalancer() != null) {
        highest = Math.max(highest, o.loadBalancer().epoch());
      }
    }
    return highest;
  }

  static Duration min(Duration a, Duration b) {
    return b == null || a.compareTo(b) <= 0 ? a : b;
  }
}
