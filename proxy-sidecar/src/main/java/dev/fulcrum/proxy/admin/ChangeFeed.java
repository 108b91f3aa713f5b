package dev.fulcrum.proxy.admin;

import dev.fulcrum.proxy.api.BackendStatus;
import dev.fulcrum.proxy.api.LoadBalancerStatus;
import dev.fulcrum.proxy.api.ProxyStatus;
import dev.fulcrum.proxy.engine.ProxyEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The revision of what this proxy reports, for {@code GET /v1/watch}: it moves whenever anything in
 * {@code /v1/status} or {@code /v1/loadbalancers/{id}} changes that a user acts on (applied
 * version, fence, listening, a backend's health, check error or certificate names, readiness, the
 * VIP) and never for live counters. Read from a snapshot a few times a second, so every source of
 * change is covered without each one having to announce itself.
 */
final class ChangeFeed implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);

  /** How often the snapshot is read: the most a change waits before watchers hear of it. */
  static final Duration TICK = Duration.ofMillis(200);

  private final Supplier<List<Object>> snapshot;
  private final String bootId;
  private final ScheduledExecutorService ticker;
  private final Set<Consumer<String>> watchers = new CopyOnWriteArraySet<>();
  // Guarded by this.
  private List<Object> last;
  private volatile long counter;

  ChangeFeed(ProxyEngine engine, Supplier<Boolean> vipHeld) {
    this(() -> snapshotOf(engine, vipHeld), engine.status((Boolean) null).bootId(), TICK);
  }

  ChangeFeed(Supplier<List<Object>> snapshot, String bootId, Duration tick) {
    this.snapshot = snapshot;
    this.bootId = bootId;
    this.last = snapshot.get();
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "fulcrum-admin-changes");
              t.setDaemon(true);
              return t;
            });
    ticker.scheduleWithFixedDelay(
        this::tick, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The current revision: this process's boot id and a counter, so a watcher that reconnects to a
   * restarted proxy never mistakes its revision for the one it saw before.
   */
  String revision() {
    return bootId + "-" + counter;
  }

  /** {@code watcher} gets the new revision after each change, on the feed's thread. */
  void subscribe(Consumer<String> watcher) {
    watchers.add(watcher);
  }

  void unsubscribe(Consumer<String> watcher) {
    watchers.remove(watcher);
  }

  /**
   * Reads the snapshot now and returns the revision of what it shows, so a status answer names the
   * revision its content belongs to and a watcher that has read it needs no second look when the
   * stream announces that revision.
   */
  String settle() {
    tick();
    return revision();
  }

  private synchronized void tick() {
    try {
      List<Object> now = snapshot.get();
      if (now.equals(last)) {
        return;
      }
      last = now;
      counter++;
      String revision = revision();
      for (Consumer<String> w : watchers) {
        w.accept(revision);
      }
    } catch (RuntimeException e) {
      log.warn("reading the status for watchers failed: {}", e.toString());
    }
  }

  /** What status shows, counters left out. */
  static List<Object> snapshotOf(ProxyEngine engine, Supplier<Boolean> vipHeld) {
    Boolean vip;
    try {
      vip = vipHeld == null ? null : vipHeld.get();
    } catch (RuntimeException e) {
      vip = null;
    }
    ProxyStatus s = engine.status(vip);
    List<Object> out = new ArrayList<>();
    out.add(Objects.toString(s.name()));
    out.add(s.ready());
    out.add(Objects.toString(s.notReadyReason()));
    out.add(Objects.toString(vip));
    for (ProxyStatus.Summary lb : s.loadBalancers()) {
      engine.status(lb.id()).ifPresent(l -> out.add(quiet(l)));
    }
    return out;
  }

  /** The load balancer's status with its live counters zeroed: only what a user acts on. */
  private static LoadBalancerStatus quiet(LoadBalancerStatus l) {
    List<BackendStatus> backends = new ArrayList<>();
    if (l.backends() != null) {
      for (BackendStatus b : l.backends()) {
        backends.add(
            new BackendStatus(
                b.name(),
                b.address(),
                b.port(),
                b.health(),
                0,
                0,
                b.lastCheckError(),
                b.tlsSans()));
      }
    }
    return new LoadBalancerStatus(
        l.id(),
        l.appliedVersion(),
        l.epoch(),
        l.listening(),
        l.listenAddress(),
        l.listenError(),
        0,
        backends);
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    watchers.clear();
  }
}
