package dev.fulcrum.proxy.engine;

import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.BackendHealth;
import dev.fulcrum.proxy.api.BackendStatus;
import dev.fulcrum.proxy.api.InvalidConfigException;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.api.LoadBalancerStatus;
import dev.fulcrum.proxy.api.ProxyStatus;
import dev.fulcrum.proxy.balance.Backend;
import dev.fulcrum.proxy.balance.BackendPool;
import dev.fulcrum.proxy.balance.Balancers;
import dev.fulcrum.proxy.balance.Rebalancer;
import dev.fulcrum.proxy.health.HealthMonitor;
import dev.fulcrum.proxy.metrics.ProxyMetrics;
import dev.fulcrum.proxy.net.DataPlane;
import dev.fulcrum.proxy.net.FrontendServer;
import dev.fulcrum.proxy.net.ListenAddress;
import dev.fulcrum.proxy.net.Transport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One load balancer being served: its frontend, live backends, health checks and rebalancer. */
final class ServedLoadBalancer {
  private static final Logger log = LoggerFactory.getLogger(ServedLoadBalancer.class);

  private final String id;
  private final DataPlane plane;
  private final ScheduledExecutorService scheduler;
  private final ProxyMetrics metrics;
  private final HealthMonitor health;
  private final Rebalancer rebalancer;

  /**
   * What this load balancer serves, replaced as one value by a commit: status reads it once and
   * never reports a mix of two versions.
   *
   * @param frontend the listener, null when it could not bind
   * @param requestedAddress where the config asks it to listen
   * @param listenError why it does not listen, null when it does
   * @param backends the served backends by endpoint
   */
  private record Applied(
      LoadBalancerConfig config,
      Map<String, Backend> backends,
      FrontendServer frontend,
      ListenAddress requestedAddress,
      String listenError) {}

  // Replaced only under the engine's monitor (prepare/commit/stop); read by status at any time.
  private volatile Applied applied = new Applied(null, Map.of(), null, null, null);

  ServedLoadBalancer(
      String id,
      Transport transport,
      DataPlane plane,
      ScheduledExecutorService scheduler,
      ProxyMetrics metrics) {
    this.id = id;
    this.plane = plane;
    this.scheduler = scheduler;
    this.metrics = metrics;
    this.health = new HealthMonitor(id, transport);
    this.rebalancer = new Rebalancer(id, scheduler);
  }

  String id() {
    return id;
  }

  LoadBalancerConfig config() {
    return applied.config();
  }

  /**
   * Builds the next pool and, when the address changes, binds the new listener; nothing is visible
   * until {@link Prepared#commit()}.
   *
   * @param strictBind refuse the config when the listener cannot bind (a push); otherwise record
   *     the error and serve what can be served (start-up from the state file)
   */
  Prepared prepare(LoadBalancerConfig next, ListenAddress address, boolean strictBind) {
    Applied now = applied;
    Map<String, Backend> backends = now.backends();
    Map<String, Backend> live = new LinkedHashMap<>();
    List<Backend> added = new ArrayList<>();
    Map<Backend, BackendConfig> renamed = new LinkedHashMap<>();
    for (var b : next.backends()) {
      // Keyed by endpoint: the same server under a new name keeps its connections and health.
      String key = b.endpoint();
      Backend existing = backends.get(key);
      if (existing != null && !existing.config().name().equals(b.name())) {
        renamed.put(existing, b);
      }
      Backend backend = existing != null ? existing : new Backend(id, b);
      if (existing == null) {
        added.add(backend);
        pace(backend, next); // it may be picked once shown, before the commit
      }
      live.put(key, backend);
    }
    List<Backend> removed =
        backends.entrySet().stream()
            .filter(e -> !live.containsKey(e.getKey()))
            .map(Map.Entry::getValue)
            .toList();
    BackendPool pool =
        new BackendPool(next, List.copyOf(live.values()), Balancers.of(next.balance()));
    FrontendServer fresh = null;
    String bindError = null;
    if (now.frontend() == null || !address.equals(now.requestedAddress())) {
      fresh = new FrontendServer(id, plane, pool);
      try {
        fresh.bind(address);
      } catch (IOException e) {
        fresh.close();
        fresh = null;
        bindError = "cannot listen on " + address + " (" + e.getMessage() + ")";
        if (strictBind) {
          throw new InvalidConfigException("frontend.port", bindError);
        }
        log.error("{}: {}", id, bindError);
      }
    }
    return new Prepared(next, pool, live, added, renamed, removed, address, fresh, bindError);
  }

  private static void pace(Backend b, LoadBalancerConfig config) {
    b.pace()
        .configure(
            config.admission().newConnectionsPerSecond(), config.admission().dialsInFlight());
  }

  private void drain(Backend b, int drainSeconds) {
    b.startDraining();
    metrics.backendRemoved(b);
    if (!b.isUp() || drainSeconds == 0 || b.activeConnections() == 0) {
      b.closeAll("backend " + b.endpoint() + " removed from " + id);
      return;
    }
    log.info(
        "{}: draining {} connections of removed backend {} for {}s",
        id,
        b.activeConnections(),
        b.endpoint(),
        drainSeconds);
    scheduler.schedule(
        () -> b.closeAll("drain period of removed backend " + b.endpoint() + " ended"),
        drainSeconds,
        TimeUnit.SECONDS);
  }

  /** Closes the listener only: established connections and health checks go on (a stop's drain). */
  void stopAccepting() {
    FrontendServer f = applied.frontend();
    if (f != null) {
      f.close();
    }
  }

  int activeConnections() {
    return applied.backends().values().stream().mapToInt(Backend::activeConnections).sum();
  }

  /** Stops listening, stops checks, and drains every backend. */
  void stop() {
    Applied now = applied;
    if (now.frontend() != null) {
      now.frontend().close();
    }
    health.close();
    rebalancer.close();
    now.backends().values().forEach(b -> drain(b, now.config().timeouts().drainSeconds()));
    applied =
        new Applied(
            now.config(), Map.of(), now.frontend(), now.requestedAddress(), now.listenError());
  }

  /**
   * What status says of a backend: {@code Draining}, {@code Down}, {@code Up}, or {@code Unknown}
   * while it is served but no check has finished yet (new connections still go to it, as HAProxy
   * starts a server up; the operator does not count it as Up).
   */
  private static BackendHealth healthOf(Backend b) {
    if (b.draining()) {
      return BackendHealth.DRAINING;
    }
    if (b.health() == BackendHealth.UP) {
      return b.everChecked() ? BackendHealth.UP : BackendHealth.UNKNOWN;
    }
    return BackendHealth.DOWN;
  }

  LoadBalancerStatus status() {
    Applied now = applied;
    FrontendServer f = now.frontend();
    LoadBalancerConfig config = now.config();
    List<BackendStatus> list =
        now.backends().values().stream()
            .map(
                b ->
                    new BackendStatus(
                        b.config().name(),
                        b.config().address(),
                        b.config().port(),
                        healthOf(b),
                        b.activeConnections(),
                        b.totalConnections(),
                        b.lastCheckError(),
                        b.tlsSans()))
            .toList();
    boolean listening = f != null && f.listening();
    return new LoadBalancerStatus(
        id,
        config.version(),
        config.epoch(),
        listening,
        listening
            ? f.localAddress().getAddress().getHostAddress() + ":" + f.localAddress().getPort()
            : null,
        now.listenError(),
        f == null ? 0 : f.activeConnections(),
        list);
  }

  ProxyStatus.Summary summary() {
    Applied now = applied;
    FrontendServer f = now.frontend();
    LoadBalancerConfig config = now.config();
    Map<String, Backend> backends = now.backends();
    int up = (int) backends.values().stream().filter(Backend::isUp).count();
    return new ProxyStatus.Summary(
        id,
        config.version(),
        config.epoch(),
        f != null && f.listening(),
        up,
        backends.size(),
        f == null ? 0 : f.activeConnections());
  }

  /** Null when ready: listening with at least one backend up. */
  String notReadyReason() {
    Applied now = applied;
    FrontendServer f = now.frontend();
    if (f == null || !f.listening()) {
      return now.listenError() != null ? now.listenError() : "not listening";
    }
    Map<String, Backend> backends = now.backends();
    long up = backends.values().stream().filter(Backend::isUp).count();
    return up > 0 ? null : "no backend is up (" + backends.size() + " down)";
  }

  /**
   * A swap that is ready to become visible, or to be abandoned with nothing changed. When it keeps
   * the listener, its pool may be shown to new connections before {@link #commit()} and taken back
   * by {@link #abort()}; everything else (health checks, drains, meters) waits for the commit.
   */
  final class Prepared {
    private final LoadBalancerConfig next;
    private final BackendPool pool;
    private final Map<String, Backend> live;
    private final List<Backend> added;
    private final Map<Backend, BackendConfig> renamed;
    private final List<Backend> removed;
    private final ListenAddress address;
    private final FrontendServer fresh;
    private final String bindError;
    // The pool new connections used before showEarly(), to set back on abort; null until then.
    private BackendPool shownBefore;

    private Prepared(
        LoadBalancerConfig next,
        BackendPool pool,
        Map<String, Backend> live,
        List<Backend> added,
        Map<Backend, BackendConfig> renamed,
        List<Backend> removed,
        ListenAddress address,
        FrontendServer fresh,
        String bindError) {
      this.next = next;
      this.pool = pool;
      this.live = live;
      this.added = added;
      this.renamed = renamed;
      this.removed = removed;
      this.address = address;
      this.fresh = fresh;
      this.bindError = bindError;
    }

    /** Whether only the pool changes: the listener stays, so the swap is one reference set. */
    boolean keepsListener() {
      return fresh == null && applied.frontend() != null;
    }

    /**
     * Points new connections at the next pool now, before the commit; only when {@link
     * #keepsListener()}. Setting a reference cannot fail and can be set back, unlike a listener
     * that is closed.
     */
    void showEarly() {
      shownBefore = applied.frontend().pool();
      applied.frontend().swap(pool);
    }

    /**
     * Abandons the swap: sets back the pool shown early, closing what it opened to added backends
     * (they were never applied, so nothing would ever check, count or drain them), and closes the
     * listener bound for it.
     */
    void abort() {
      if (shownBefore != null) {
        applied.frontend().swap(shownBefore);
        shownBefore = null;
        for (Backend b : added) {
          b.startDraining(); // a connection that read the early pool but picks late skips it
          if (b.activeConnections() > 0) {
            log.warn(
                "{}: closing {} connections opened to {} while a push that failed was shown",
                id,
                b.activeConnections(),
                b.endpoint());
            b.closeAll("the push adding backend " + b.endpoint() + " to " + id + " failed");
          }
        }
      }
      if (fresh != null) {
        fresh.close();
      }
    }

    ServedLoadBalancer commit() {
      added.forEach(metrics::backendAdded);
      renamed.forEach(
          (b, named) -> {
            metrics.backendRemoved(b); // its series under the old name end
            b.renamed(named);
            metrics.backendAdded(b);
            metrics.healthChecks(b, health.counters(b));
          });
      Applied was = applied;
      if (fresh != null) {
        applied = new Applied(next, Map.copyOf(live), fresh, address, null);
        if (was.frontend() != null) {
          was.frontend().close();
        }
      } else if (was.frontend() != null) {
        was.frontend().swap(pool); // again after showEarly(): the same pool, so a no-op
        applied = new Applied(next, Map.copyOf(live), was.frontend(), was.requestedAddress(), null);
      } else {
        applied = new Applied(next, Map.copyOf(live), null, address, bindError);
      }
      pool.backends().forEach(b -> pace(b, next));
      health.update(pool.backends(), next.healthCheck());
      added.forEach(b -> metrics.healthChecks(b, health.counters(b)));
      rebalancer.update(pool);
      removed.forEach(b -> drain(b, next.timeouts().drainSeconds()));
      metrics.applied(id, next.version());
      return ServedLoadBalancer.this;
    }
  }
}
