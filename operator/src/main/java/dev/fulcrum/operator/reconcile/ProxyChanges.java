package dev.fulcrum.operator.reconcile;

import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.push.ProxyClient;
import dev.fulcrum.operator.push.ProxyCredentials;
import dev.fulcrum.operator.push.ProxyTarget;
import dev.fulcrum.operator.push.ProxyWatch;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.EventHandler;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;

/**
 * Reconciles a load balancer as soon as one of its proxies reports a change or is lost: one change
 * stream ({@code GET /v1/watch}) per proxy endpoint and credentials, shared by every load balancer
 * that lists it. The periodic check stays as a safety net.
 */
final class ProxyChanges extends AbstractEventSource<Void, ExternalLoadBalancer>
    implements LoadBalancerSync.Watchers {
  /** One stream serves every load balancer that reaches this endpoint with these credentials. */
  private record Key(String endpoint, ProxyCredentials creds) {}

  /** A load balancer's resource and the proxies (by name) it reaches through each stream. */
  private record Interest(ResourceID resource, Map<Key, String> proxies) {}

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ProxyChanges.class);
  private final ProxyClient client;
  private final BiConsumer<String, String> answered; // (load balancer id, proxy name)
  private final java.util.function.BinaryOperator<String> seenRevision; // (id, proxy) -> revision
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "fulcrum-proxy-watch");
            t.setDaemon(true);
            return t;
          });

  // Guarded by this.
  /** How long changes from several proxies are gathered into one reconcile. */
  static final java.time.Duration COALESCE = java.time.Duration.ofMillis(250);

  private final Set<ResourceID> pending = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final Set<ResourceID> forced = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final Map<Key, Boolean> lastReachable = new HashMap<>(); // guarded by this
  private final Map<String, Interest> interests = new HashMap<>();
  private final Map<Key, ProxyWatch> watches = new HashMap<>();
  private boolean running;

  /**
   * @param answered told when a proxy that was unreachable answers again, so the next reconcile
   *     asks it at once instead of waiting out its backoff
   * @param seenRevision the revision the last answer of a proxy about a load balancer reflected: a
   *     change the operator has already read (its own push, read back after the ACK) needs no
   *     reconcile
   */
  ProxyChanges(
      ProxyClient client,
      BiConsumer<String, String> answered,
      java.util.function.BinaryOperator<String> seenRevision) {
    super(Void.class, "proxy-changes");
    this.client = client;
    this.answered = answered;
    this.seenRevision = seenRevision;
  }

  @Override
  public synchronized void track(String id, List<ProxyTarget> proxies, ProxyCredentials creds) {
    Map<Key, String> keys = new HashMap<>();
    for (ProxyTarget p : proxies) {
      keys.put(new Key(p.endpoint(), creds), p.name());
    }
    Interest was = interests.get(id);
    if (was != null && was.proxies().equals(keys)) {
      return;
    }
    interests.put(id, new Interest(resourceOf(id), keys));
    sync();
  }

  @Override
  public synchronized void untrack(String id) {
    if (interests.remove(id) != null) {
      sync();
    }
  }

  /** The proxies being watched now, by endpoint, and whether each stream is up. */
  synchronized Map<String, Boolean> watched() {
    Map<String, Boolean> out = new HashMap<>();
    watches.forEach((k, w) -> out.put(k.endpoint(), w.reachable()));
    return out;
  }

  /** Opens the streams some load balancer needs and closes the ones none needs any more. */
  private void sync() {
    if (!running) {
      return;
    }
    Set<Key> needed = new HashSet<>();
    interests.values().forEach(i -> needed.addAll(i.proxies().keySet()));
    watches
        .entrySet()
        .removeIf(
            e -> {
              if (needed.contains(e.getKey())) {
                return false;
              }
              e.getValue().close();
              return true;
            });
    for (Key k : needed) {
      watches.computeIfAbsent(k, this::open);
    }
  }

  private ProxyWatch open(Key k) {
    String name =
        interests.values().stream()
            .map(i -> i.proxies().get(k))
            .filter(n -> n != null)
            .findFirst()
            .orElse(k.endpoint());
    ProxyTarget p = new ProxyTarget(name, k.endpoint());
    return new ProxyWatch(client, p, k.creds(), timer, (up, why) -> changed(k, up)).start();
  }

  /**
   * Every load balancer behind this stream is reconciled within {@link #COALESCE}: a push moves
   * every proxy's revision at once, and one reconcile follows them all, after the status the push
   * wrote has reached the informer.
   */
  private void changed(Key k, boolean reachable) {
    List<Interest> affected;
    boolean flipped;
    synchronized (this) {
      if (!running) {
        return;
      }
      affected = interests.values().stream().filter(i -> i.proxies().containsKey(k)).toList();
      flipped = !Boolean.valueOf(reachable).equals(lastReachable.put(k, reachable));
    }
    for (Interest i : affected) {
      if (reachable && flipped) {
        answered.accept(idOf(i.resource()), i.proxies().get(k));
      }
      if (flipped) {
        forced.add(i.resource());
      }
      if (pending.add(i.resource())) {
        timer.schedule(
            () -> emit(i.resource()),
            COALESCE.toMillis(),
            java.util.concurrent.TimeUnit.MILLISECONDS);
      }
    }
  }

  private void emit(ResourceID resource) {
    pending.remove(resource);
    boolean force = forced.remove(resource);
    EventHandler handler;
    boolean news;
    synchronized (this) {
      handler = running ? getEventHandler() : null;
      Interest i = interests.get(idOf(resource));
      news = force || i == null || unread(i);
    }
    if (handler != null && news) {
      handler.handleEvent(new Event(resource));
    }
  }

  /** Whether some proxy of {@code i} announced a revision the last reconcile did not read. */
  private boolean unread(Interest i) {
    String id = idOf(i.resource());
    for (Map.Entry<Key, String> e : i.proxies().entrySet()) {
      ProxyWatch w = watches.get(e.getKey());
      if (w == null) {
        continue;
      }
      String announced = w.revision();
      if (announced != null && !announced.equals(seenRevision.apply(id, e.getValue()))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public synchronized void start() {
    super.start();
    running = true;
    sync();
  }

  @Override
  public void stop() {
    synchronized (this) {
      log.info("stopped watching {} proxies", watches.size());
      running = false;
      watches.values().forEach(ProxyWatch::close);
      watches.clear();
    }
    timer.shutdownNow();
    super.stop();
  }

  /** Streams carry no resources of their own; they only trigger reconciles. */
  @Override
  public Set<Void> getSecondaryResources(ExternalLoadBalancer primary) {
    return Set.of();
  }

  /** Load balancer ids are {@code namespace.name}; a namespace has no dot. */
  static ResourceID resourceOf(String id) {
    int dot = id.indexOf('.');
    return new ResourceID(id.substring(dot + 1), id.substring(0, dot));
  }

  static String idOf(ResourceID r) {
    return r.getNamespace().orElseThrow() + "." + r.getName();
  }
}
