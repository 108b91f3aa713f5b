package dev.fulcrum.operator;

import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.push.Backoff;
import dev.fulcrum.operator.push.Observation;
import dev.fulcrum.operator.push.ProxyClient;
import dev.fulcrum.operator.push.ProxyCredentials;
import dev.fulcrum.operator.push.PushResult;
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
final class ProxyPushes {
  private static final Logger log = LoggerFactory.getLogger(ProxyPushes.class);

  /** What a round of pushes did; observations carry the versions the proxies now report. */
  record Round(List<Observation> observations, Map<String, PushResult> results, Duration retryIn) {}

  private final ProxyClient client;
  private final OperatorMetrics metrics;
  private final Backoff pushBackoff = new Backoff();
  private final Backoff queryBackoff = new Backoff();
  // The failure a proxy in backoff last gave, so its status keeps saying why until the retry.
  private final Map<String, PushResult> lastFailure =
      new java.util.concurrent.ConcurrentHashMap<>();

  ProxyPushes(ProxyClient client, OperatorMetrics metrics) {
    this.client = client;
    this.metrics = metrics;
  }

  Round pushLagging(
      List<ProxySpec> proxies,
      String id,
      LoadBalancerConfig desired,
      List<Observation> seen,
      ProxyCredentials creds) {
    Map<String, CompletableFuture<PushResult>> calls = new HashMap<>();
    Map<String, PushResult> results = new HashMap<>();
    Map<String, Long> started = new HashMap<>();
    Duration retry = null;
    for (ProxySpec p : proxies) {
      Observation o = find(seen, p.name);
      String key = id + "/" + p.name;
      // Only a reachable proxy that lags gets a PUT, so a restarted operator sends none. It lags
      // on the version, or on the epoch: a new leader raises every proxy's fence even when the
      // versions match, so its predecessor's late pushes are refused everywhere.
      if (o == null || !o.reachable() || !lags(o, desired)) {
        continue;
      }
      long now = System.nanoTime();
      if (!pushBackoff.allowed(key, now)) {
        retry = LoadBalancerSync.min(pushBackoff.remaining(key, now), retry);
        PushResult last = lastFailure.get(key);
        if (last != null) {
          results.put(p.name, last);
        }
        continue;
      }
      started.put(p.name, now);
      calls.put(p.name, client.push(p, id, desired, creds));
    }
    List<Observation> after = new ArrayList<>(seen);
    calls.forEach(
        (name, call) -> {
          PushResult r = call.join();
          long took = System.nanoTime() - started.get(name);
          metrics.pushed(id, name, r.ok(), Duration.ofNanos(took));
          results.put(name, r);
          String key = id + "/" + name;
          if (r.ok()) {
            pushBackoff.succeeded(key);
            lastFailure.remove(key);
            log.info("{}: {} applied {}", id, name, r.appliedVersion());
            replace(after, name, r.appliedVersion(), desired.epoch());
          } else {
            Duration wait = pushBackoff.failed(key, System.nanoTime());
            lastFailure.put(key, r);
            log.warn("{}: {}; retry in {}", id, r.error(), wait);
          }
        });
    for (PushResult r : results.values()) {
      if (!r.ok()) {
        retry =
            LoadBalancerSync.min(
                pushBackoff.remaining(id + "/" + r.proxy(), System.nanoTime()), retry);
      }
    }
    return new Round(after, results, retry);
  }

  /** Backs off asking unreachable proxies again: 1 s, 2 s, 4 s … */
  Duration retryUnreachable(String id, List<Observation> seen) {
    Duration retry = null;
    for (Observation o : seen) {
      String key = id + "/" + o.proxy();
      if (o.reachable()) {
        queryBackoff.succeeded(key);
      } else {
        retry = LoadBalancerSync.min(queryBackoff.failed(key, System.nanoTime()), retry);
      }
    }
    return retry;
  }

  void recordSynced(String id, List<Observation> seen, LoadBalancerConfig desired) {
    long synced =
        desired == null
            ? 0
            : seen.stream().filter(o -> desired.version().equals(o.appliedVersion())).count();
    metrics.proxiesSynced(id, (int) synced);
  }

  /** The next push to this proxy goes without waiting out its backoff. */
  void retrySoon(String id, String proxy) {
    String key = id + "/" + proxy;
    pushBackoff.succeeded(key);
    lastFailure.remove(key);
  }

  void forget(String id) {
    lastFailure.keySet().removeIf(k -> k.startsWith(id + "/"));
    pushBackoff.forget(id);
    queryBackoff.forget(id);
    metrics.forget(id);
  }

  /** The endpoints the reachable proxies serve now, draining ones aside. */
  static Set<String> served(List<Observation> seen) {
    Set<String> out = new HashSet<>();
    for (Observation o : seen) {
      if (o.loadBalancer() != null && o.loadBalancer().backends() != null) {
        o.loadBalancer().backends().stream()
            .filter(b -> !"Draining".equals(b.health()))
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

  private static Observation find(List<Observation> seen, String name) {
    return seen.stream().filter(o -> o.proxy().equals(name)).findFirst().orElse(null);
  }

  private static void replace(
      List<Observation> list, String name, String appliedVersion, long epoch) {
    for (int i = 0; i < list.size(); i++) {
      Observation o = list.get(i);
      if (o.proxy().equals(name)) {
        LoadBalancerStatus lb = o.loadBalancer();
        LoadBalancerStatus updated =
            lb == null
                ? new LoadBalancerStatus(
                    null, appliedVersion, epoch, false, null, null, 0, List.of())
                : new LoadBalancerStatus(
                    lb.id(),
                    appliedVersion,
                    epoch,
                    lb.listening(),
                    lb.listenAddress(),
                    lb.listenError(),
                    lb.activeConnections(),
                    lb.backends());
        list.set(i, new Observation(o.proxy(), o.endpoint(), updated, o.vipHeld(), null));
      }
    }
  }
}
