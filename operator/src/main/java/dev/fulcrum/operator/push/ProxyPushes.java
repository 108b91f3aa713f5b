package dev.fulcrum.operator.push;

import dev.fulcrum.operator.desired.JoinDebounce;
import dev.fulcrum.proxy.api.BackendHealth;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.api.LoadBalancerStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** PUTs a config to every proxy that lags, concurrently, each with its own backoff. */
public final class ProxyPushes {
  private static final Logger log = LoggerFactory.getLogger(ProxyPushes.class);

  /** What a round of pushes did; observations carry the versions the proxies now report. */
  public record Round(
      List<Observation> observations,
      Map<String, PushResult> results,
      Duration retryIn,
      boolean joinPending) {}

  private final ProxyClient client;
  private final PushMetrics metrics;
  private final Backoff pushBackoff = new Backoff();
  // A proxy that did not answer is asked again after 1 s, 2 s, 4 s … at most a poll apart; until
  // then reconciles use its last answer instead of waiting out its deadline each time.
  private final Backoff queryBackoff;
  private final Map<String, Unanswered> lastUnanswered =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * A proxy's last failed answer, and how it was asked: new credentials or endpoint ask at once.
   */
  private record Unanswered(Observation observation, String endpoint, ProxyCredentials creds) {}

  private final Set<String> probing = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** When to look again while a proxy that did not answer is being asked in the background. */
  static final Duration PROBE_DEADLINE = Duration.ofSeconds(3);

  // The failure a proxy in backoff last gave, so its status keeps saying why until the retry.
  private final Map<String, PushResult> lastFailure =
      new java.util.concurrent.ConcurrentHashMap<>();

  public ProxyPushes(ProxyClient client, PushMetrics metrics, Duration poll) {
    this.client = client;
    this.metrics = metrics;
    this.queryBackoff = new Backoff(poll);
  }

  /**
   * Every proxy at once, each on its own: asked what it serves, then pushed if it lags, so a proxy
   * that does not answer delays no other (each call has the client's own deadlines). Joins are held
   * back by {@code debounce} as long as the set only adds servers the proxy does not serve yet.
   *
   * @param desired null when the set is too small to push: the proxies are only asked
   */
  public Round observeAndPush(
      List<ProxyTarget> proxies,
      String id,
      LoadBalancerConfig desired,
      ProxyCredentials creds,
      JoinDebounce debounce) {
    List<CompletableFuture<Step>> steps =
        proxies.stream().map(p -> step(p, id, desired, creds, debounce)).toList();
    List<Observation> seen = new ArrayList<>();
    Map<String, PushResult> results = new HashMap<>();
    Duration retry = null;
    boolean joinPending = false;
    for (CompletableFuture<Step> f : steps) {
      Step step = f.join();
      seen.add(step.observation());
      if (step.push() != null) {
        results.put(step.observation().proxy(), step.push());
      }
      if (step.retryIn() != null) {
        retry = retry == null || step.retryIn().compareTo(retry) < 0 ? step.retryIn() : retry;
      }
      joinPending |= step.joinPending();
    }
    return new Round(seen, results, retry, joinPending);
  }

  /** One proxy's part of a round: what it serves now, the push it got, and when to look again. */
  private record Step(
      Observation observation, PushResult push, Duration retryIn, boolean joinPending) {}

  private CompletableFuture<Step> step(
      ProxyTarget p,
      String id,
      LoadBalancerConfig desired,
      ProxyCredentials creds,
      JoinDebounce debounce) {
    String key = id + "/" + p.name();
    long now = System.nanoTime();
    Unanswered last = lastUnanswered.get(key);
    Observation unanswered =
        last != null && last.endpoint().equals(p.endpoint()) && last.creds().equals(creds)
            ? last.observation()
            : null;
    if (unanswered != null) {
      // It did not answer last time: asked again in the background when its backoff allows, so
      // no reconcile waits out its deadline; once it answers, the next reconcile syncs it.
      if (queryBackoff.allowed(key, now) && probing.add(key)) {
        client
            .observe(p, id, creds)
            .thenAccept(
                o -> {
                  if (o.reachable()) {
                    lastUnanswered.remove(key);
                    queryBackoff.succeeded(key);
                  } else {
                    lastUnanswered.put(key, new Unanswered(o, p.endpoint(), creds));
                    queryBackoff.failed(key, System.nanoTime());
                  }
                })
            .whenComplete((done, e) -> probing.remove(key));
      }
      Duration again = queryBackoff.remaining(key, now);
      return CompletableFuture.completedFuture(
          new Step(unanswered, null, again.isZero() ? PROBE_DEADLINE : again, false));
    }
    return client
        .observe(p, id, creds)
        .thenCompose(
            o -> {
              if (!o.reachable()) {
                lastUnanswered.put(key, new Unanswered(o, p.endpoint(), creds));
                Duration wait = queryBackoff.failed(key, System.nanoTime());
                return CompletableFuture.completedFuture(new Step(o, null, wait, false));
              }
              lastUnanswered.remove(key);
              queryBackoff.succeeded(key);
              return pushIfLagging(p, id, desired, creds, debounce, o);
            });
  }

  private CompletableFuture<Step> pushIfLagging(
      ProxyTarget p,
      String id,
      LoadBalancerConfig desired,
      ProxyCredentials creds,
      JoinDebounce debounce,
      Observation o) {
    // Only a reachable proxy that lags gets a PUT, so a restarted operator sends none. It lags on
    // the version, or on the epoch: a new leader raises every proxy's fence even when the versions
    // match, so its predecessor's late pushes are refused everywhere.
    if (desired == null || !o.reachable() || !lags(o, desired)) {
      return CompletableFuture.completedFuture(new Step(o, null, null, false));
    }
    long fence = o.loadBalancer() == null ? 0 : o.loadBalancer().epoch();
    if (fence > desired.epoch()) { // it would refuse: the caller raises the epoch if it may
      PushResult withheld =
          new PushResult(
              p.name(),
              409,
              o.appliedVersion(),
              "push to "
                  + p.name()
                  + " ("
                  + p.endpoint()
                  + ") withheld: it fences this load balancer at epoch "
                  + fence
                  + ", above this operator's "
                  + desired.epoch()
                  + " (an operator that became leader later has pushed it)",
              fence);
      return CompletableFuture.completedFuture(new Step(o, withheld, null, false));
    }
    Duration wait =
        debounce.delay(
            id, served(List.of(o)), desired.backends(), desired.version(), System.nanoTime());
    if (!wait.isZero()) {
      return CompletableFuture.completedFuture(new Step(o, null, wait, true));
    }
    String key = id + "/" + p.name();
    long started = System.nanoTime();
    if (!pushBackoff.allowed(key, started)) {
      return CompletableFuture.completedFuture(
          new Step(o, lastFailure.get(key), pushBackoff.remaining(key, started), false));
    }
    return client
        .push(p, id, desired, creds)
        .thenCompose(
            r -> {
              metrics.pushed(id, p.name(), r.ok(), Duration.ofNanos(System.nanoTime() - started));
              if (!r.ok()) {
                Duration retry = pushBackoff.failed(key, System.nanoTime());
                lastFailure.put(key, r);
                log.warn("{}: {}; retry in {}", id, r.error(), retry);
                return CompletableFuture.completedFuture(new Step(o, r, retry, false));
              }
              pushBackoff.succeeded(key);
              lastFailure.remove(key);
              log.info("{}: {} applied {}", id, p.name(), r.appliedVersion());
              // Status shows what the proxy serves now (its backends, with their health), read
              // fresh after the ACK, not the report from before the push.
              return client
                  .observe(p, id, creds)
                  .thenApply(
                      fresh ->
                          new Step(
                              fresh.reachable()
                                  ? fresh
                                  : applied(o, r.appliedVersion(), desired.epoch()),
                              r,
                              null,
                              false));
            });
  }

  // The change-stream revision each proxy's last answer reflected, by "id/proxy".
  private final Map<String, String> seenRevisions = new java.util.concurrent.ConcurrentHashMap<>();

  /** The revision the last answer of {@code proxy} about {@code id} reflected; null if none. */
  public String seenRevision(String id, String proxy) {
    return seenRevisions.get(id + "/" + proxy);
  }

  public void recordSynced(String id, List<Observation> seen, LoadBalancerConfig desired) {
    for (Observation o : seen) {
      if (o.reachable() && o.revision() != null) {
        seenRevisions.put(id + "/" + o.proxy(), o.revision());
      }
    }
    long synced =
        desired == null
            ? 0
            : seen.stream().filter(o -> desired.version().equals(o.appliedVersion())).count();
    metrics.proxiesSynced(id, (int) synced);
  }

  /** The proxy answers again (its change stream is back): the next round asks it at once. */
  public void answered(String id, String proxy) {
    String key = id + "/" + proxy;
    lastUnanswered.remove(key);
    queryBackoff.succeeded(key);
  }

  /** The next push to this proxy goes without waiting out its backoff. */
  public void retrySoon(String id, String proxy) {
    String key = id + "/" + proxy;
    pushBackoff.succeeded(key);
    lastFailure.remove(key);
  }

  public void forget(String id) {
    lastFailure.keySet().removeIf(k -> k.startsWith(id + "/"));
    pushBackoff.forget(id);
    queryBackoff.forget(id);
    lastUnanswered.keySet().removeIf(k -> k.startsWith(id + "/"));
    seenRevisions.keySet().removeIf(k -> k.startsWith(id + "/"));
    metrics.forget(id);
  }

  /** The endpoints the reachable proxies serve now, draining ones aside. */
  static Set<String> served(List<Observation> seen) {
    Set<String> out = new HashSet<>();
    for (Observation o : seen) {
      if (o.loadBalancer() != null && o.loadBalancer().backends() != null) {
        o.loadBalancer().backends().stream()
            .filter(b -> b.health() != BackendHealth.DRAINING)
            .forEach(
                b ->
                    out.add(
                        new dev.fulcrum.proxy.api.BackendConfig(b.name(), b.address(), b.port())
                            .endpoint()));
      }
    }
    return out;
  }

  private static boolean lags(Observation o, LoadBalancerConfig desired) {
    return !desired.version().equals(o.appliedVersion())
        || o.loadBalancer() == null
        || o.loadBalancer().epoch() < desired.epoch();
  }

  /** The observation with what a successful push applied folded in. */
  private static Observation applied(Observation o, String appliedVersion, long epoch) {
    LoadBalancerStatus lb = o.loadBalancer();
    LoadBalancerStatus updated =
        lb == null
            ? new LoadBalancerStatus(null, appliedVersion, epoch, false, null, null, 0, List.of())
            : new LoadBalancerStatus(
                lb.id(),
                appliedVersion,
                epoch,
                lb.listening(),
                lb.listenAddress(),
                lb.listenError(),
                lb.activeConnections(),
                lb.backends());
    return new Observation(
        o.proxy(),
        o.endpoint(),
        updated,
        o.vipHeld(),
        null,
        o.calledItself(),
        null,
        o.keepalivedProblem());
  }
}
