package dev.fulcrum.proxy.health;

import dev.fulcrum.proxy.api.HealthCheckConfig;
import dev.fulcrum.proxy.balance.Backend;
import dev.fulcrum.proxy.net.Transport;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks for one load balancer's backends, with rise/fall. Checks run on the data
 * plane's event loops: each is a few non-blocking socket events every few seconds.
 */
public final class HealthMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);

  private final String loadBalancerId;
  private final Transport transport;
  // Guarded by this: checkers, config, settings and closed change only in update() and close(),
  // which the engine calls from its own threads, never from an event loop.
  private final Map<Backend, HealthChecker> checkers = new HashMap<>();
  private HealthCheckConfig config;
  private CheckSettings settings;
  private boolean closed;
  // Read by metrics at any time; an entry lives as long as its backend is checked here.
  private final Map<Backend, CheckCounters> counters = new ConcurrentHashMap<>();

  public HealthMonitor(String loadBalancerId, Transport transport) {
    this.loadBalancerId = loadBalancerId;
    this.transport = transport;
  }

  /** Checks exactly these backends with this config from now on; stops checks of others. */
  public synchronized void update(List<Backend> backends, HealthCheckConfig config) {
    Objects.requireNonNull(config, "healthCheck");
    if (closed) {
      return;
    }
    boolean reconfigured = !config.equals(this.config);
    if (reconfigured) {
      this.config = config;
      this.settings = CheckSettings.of(config);
      if (settings.tlsProblem() != null) {
        log.warn("{}: health checks will fail: {}", loadBalancerId, settings.tlsProblem());
      }
    }
    Set<Backend> wanted = Set.copyOf(backends);
    for (Iterator<Map.Entry<Backend, HealthChecker>> it = checkers.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<Backend, HealthChecker> e = it.next();
      if (!wanted.contains(e.getKey())) {
        e.getValue().stop();
        counters.remove(e.getKey());
        it.remove();
      }
    }
    for (Backend b : backends) {
      HealthChecker running = checkers.get(b);
      if (running != null && !reconfigured) {
        continue;
      }
      if (running != null) {
        running.stop();
      }
      HealthChecker checker =
          new HealthChecker(
              b,
              settings,
              transport.workers().next(),
              transport.socketChannelClass(),
              counters.computeIfAbsent(b, k -> new CheckCounters()));
      checkers.put(b, checker);
      checker.start();
    }
  }

  /**
   * The check counts of a backend checked here, or null; the hook for metrics, which read it as
   * counters for as long as the backend stays in this load balancer.
   */
  public CheckCounters counters(Backend backend) {
    return counters.get(backend);
  }

  /** The backends being checked now. */
  synchronized Set<Backend> checked() {
    return Set.copyOf(checkers.keySet());
  }

  @Override
  public synchronized void close() {
    closed = true;
    checkers.values().forEach(HealthChecker::stop);
    checkers.clear();
    counters.clear();
  }
}
