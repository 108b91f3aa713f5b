package dev.fulcrum.proxy.engine;

import dev.fulcrum.proxy.api.ApplyResponse;
import dev.fulcrum.proxy.api.ConfigValidator;
import dev.fulcrum.proxy.api.FrontendConfig;
import dev.fulcrum.proxy.api.InvalidConfigException;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.api.LoadBalancerStatus;
import dev.fulcrum.proxy.api.ProxyStatus;
import dev.fulcrum.proxy.metrics.ProxyMetrics;
import dev.fulcrum.proxy.net.DataPlane;
import dev.fulcrum.proxy.net.ListenAddress;
import dev.fulcrum.proxy.net.Transport;
import dev.fulcrum.proxy.store.StateStore;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's control point: validates, swaps in and persists load balancer configs, and answers
 * for their state. Called from admin threads and at start-up, never from a data-plane event loop.
 */
public final class ProxyEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProxyEngine.class);

  private final String name;
  private final String bootId = UUID.randomUUID().toString();
  private final String frontendBind;
  private final boolean hostHasIpv6;
  private final Transport transport;
  private final DataPlane plane;
  private final StateStore store;
  private final ProxyMetrics metrics;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "fulcrum-scheduler");
            t.setDaemon(true);
            return t;
          });
  // Writes happen under the engine's monitor; reads (status, readiness) take the map as it is.
  private final Map<String, ServedLoadBalancer> served = new ConcurrentHashMap<>();
  // Per load balancer id, the lowest epoch a push must carry; written under the monitor.
  private volatile Map<String, Long> fences = Map.of();
  private volatile String stateProblem;
  private volatile boolean stopping;
  private volatile Runnable onChange = () -> {};

  /**
   * @param frontendBind the host's bind address for every frontend, overriding the resource's; may
   *     be null
   */
  public ProxyEngine(
      String name,
      String frontendBind,
      Transport transport,
      StateStore store,
      ProxyMetrics metrics) {
    this.name = name;
    this.frontendBind = frontendBind;
    this.hostHasIpv6 = ListenAddress.hostHasIpv6();
    this.transport = transport;
    this.plane = DataPlanes.of(transport);
    this.store = store;
    this.metrics = metrics;
  }

  /** The meters this engine reports to; the admin API counts its requests there too. */
  public ProxyMetrics metrics() {
    return metrics;
  }

  /** Serves what the state file holds, before anything else; a bad file is reported, not fatal. */
  public synchronized void restore() {
    StateStore.Loaded loaded = store.load();
    stateProblem = loaded.problem();
    fences = loaded.fences();
    loaded
        .loadBalancers()
        .forEach(
            (id, config) -> {
              try {
                commit(id, prepare(id, config, null, false));
                log.info(
                    "{}: serving persisted version {} from the state file", id, config.version());
              } catch (RuntimeException e) {
                log.error("{}: cannot serve the persisted config: {}", id, e.getMessage());
              }
            });
    onChange.run();
  }

  /** Runs {@code listener} after every change of the applied set (e.g. to re-render keepalived). */
  public void onChange(Runnable listener) {
    this.onChange = listener;
  }

  /**
   * Applies a pushed config: validated, swapped in and persisted, or refused with nothing changed.
   * Returns (and so the pusher is answered 200) only once the state file is durable.
   *
   * <p>A change that keeps the frontend's address (the common push: the backend set changed) is
   * shown to new connections before the state file is written, because the swap is one reference
   * that can be set back while the fsync may take milliseconds; a failed write sets the previous
   * pool back before the 5xx, so the pusher sees what it saw before: no ACK, old backends serving.
   * A moved frontend keeps the older order (bind, persist, then close the old listener), since
   * closing a listener cannot be taken back.
   *
   * @param ifMatch the version the pusher expects to replace, or null
   * @throws InvalidConfigException a field is wrong (422)
   * @throws ConflictException stale epoch or If-Match mismatch (409)
   * @throws PersistenceException the state could not be written (5xx)
   */
  public synchronized ApplyResponse apply(String id, LoadBalancerConfig body, String ifMatch) {
    ConfigValidator.checkId(id);
    // The snapshot: canonical by construction, hashed once, validated, and served and persisted as
    // it is.
    LoadBalancerConfig stamped = body.stamped(body.epoch());
    ConfigValidator.validateStamped(stamped, body.version());
    ServedLoadBalancer current = served.get(id);
    String appliedVersion = current == null ? null : current.config().version();
    long fence = fence(id);
    if (stamped.epoch() < fence) {
      throw new ConflictException(
          "epoch "
              + stamped.epoch()
              + " is below the fence of "
              + id
              + " on this proxy ("
              + fence
              + "): an operator that became leader later has pushed it here. The operator"
              + " holding the leader Lease raises its epoch past the fence by itself; to hand "
              + id
              + " on this host to another installation, re-adopt it with POST /v1/loadbalancers/"
              + id
              + "/adopt",
          appliedVersion,
          fence);
    }
    if (ifMatch != null && !ifMatch.equals("*") && !ifMatch.equals(appliedVersion)) {
      throw new ConflictException(
          "If-Match " + ifMatch + " is not the applied version " + appliedVersion,
          appliedVersion,
          fence);
    }
    checkVipClash(id, stamped); // first: a VIP of the wrong family is named as such
    checkPortClash(id, stamped);
    if (current != null
        && stamped.version().equals(appliedVersion)
        && stamped.epoch() == current.config().epoch()) {
      return new ApplyResponse(appliedVersion, stamped.epoch());
    }
    ServedLoadBalancer.Prepared prepared = prepare(id, stamped, current, true);
    if (prepared.keepsListener()) {
      prepared.showEarly(); // new connections use the new backends from here; see the Javadoc
    }
    Map<String, LoadBalancerConfig> next = new TreeMap<>(configs());
    next.put(id, stamped);
    Map<String, Long> nextFences = new TreeMap<>(fences);
    nextFences.put(id, Math.max(fence, stamped.epoch()));
    boolean saved = false;
    try {
      store.save(next, nextFences);
      saved = true;
    } catch (IOException e) {
      throw new PersistenceException(
          "cannot persist the state file, config not applied: " + e.getMessage(), e);
    } finally {
      if (!saved) {
        prepared.abort(); // whatever the failure, nothing stays shown that was not persisted
      }
    }
    fences = Map.copyOf(nextFences);
    stateProblem = null; // a durable push has replaced whatever the bad state file lost
    commit(id, prepared);
    onChange.run();
    log.info(
        "{}: applied {} (epoch {}, {} backends)",
        id,
        stamped.version(),
        stamped.epoch(),
        stamped.backends().size());
    return new ApplyResponse(stamped.version(), stamped.epoch());
  }

  /** Stops a frontend (deletionPolicy Clear); its connections drain. False when it was unknown. */
  public synchronized boolean delete(String id) {
    ServedLoadBalancer current = served.get(id);
    if (current == null) {
      return false;
    }
    Map<String, LoadBalancerConfig> next = new TreeMap<>(configs());
    next.remove(id);
    try {
      store.save(next, fences); // the fence stays: a deposed leader's late push brings nothing back
    } catch (IOException e) {
      throw new PersistenceException(
          "cannot persist the state file, not deleted: " + e.getMessage(), e);
    }
    served.remove(id);
    current.stop();
    metrics.loadBalancerRemoved(id);
    onChange.run();
    log.info("{}: deleted; its frontend is closed and its connections drain", id);
    return true;
  }

  private ServedLoadBalancer.Prepared prepare(
      String id, LoadBalancerConfig config, ServedLoadBalancer current, boolean strictBind) {
    ServedLoadBalancer target =
        current != null
            ? current
            : new ServedLoadBalancer(id, transport, plane, scheduler, metrics);
    return target.prepare(config, listenAddress(config), strictBind);
  }

  private void commit(String id, ServedLoadBalancer.Prepared prepared) {
    served.put(id, prepared.commit());
  }

  private String effectiveBind(LoadBalancerConfig config) {
    return frontendBind != null ? frontendBind : config.frontend().bind();
  }

  private ListenAddress listenAddress(LoadBalancerConfig config) {
    FrontendConfig f = config.frontend();
    return ListenAddress.resolve(effectiveBind(config), f.port(), f.virtualIP(), hostHasIpv6);
  }

  /**
   * Two frontends may share a port when they cannot take each other's connections: different
   * addresses, or an IPv4 and an IPv6 VIP on the dual-stack wildcard (see {@link ListenAddress}).
   */
  private void checkPortClash(String id, LoadBalancerConfig config) {
    ListenAddress listen = listenAddress(config);
    for (ServedLoadBalancer other : served.values()) {
      if (other.id().equals(id)) {
        continue;
      }
      ListenAddress taken = listenAddress(other.config());
      if (listen.overlaps(taken)) {
        throw new InvalidConfigException(
            "frontend.port",
            listen.port()
                + " on "
                + listen
                + " is already used by load balancer "
                + other.id()
                + " ("
                + taken
                + ")");
      }
    }
  }

  /**
   * A VIP is one VRRP instance in keepalived.conf, so every load balancer on it must give it the
   * same prefix, interface and router id; and two VIPs on one interface need two router ids
   * (keepalived refuses the file otherwise, and then no VIP of this host follows any change).
   * Refused here, at push time, naming the field, rather than when the file is rendered. Priorities
   * are not compared: adding an lb host changes them on every resource, one push at a time; the
   * instance takes those of the first load balancer on the VIP, by id.
   */
  private void checkVipClash(String id, LoadBalancerConfig config) {
    FrontendConfig f = config.frontend();
    if (f.virtualIP() == null) {
      return;
    }
    String address = address(f.virtualIP());
    checkVipFamily(address, effectiveBind(config));
    for (ServedLoadBalancer other : new TreeMap<>(served).values()) {
      FrontendConfig o = other.config().frontend();
      if (other.id().equals(id) || o.virtualIP() == null) {
        continue;
      }
      if (address.equals(address(o.virtualIP()))) {
        if (!java.util.Objects.equals(f.vrrpPassword(), o.vrrpPassword())) {
          throw new InvalidConfigException(
              "frontend.vrrpPassword",
              "VIP "
                  + address
                  + " is also served by load balancer "
                  + other.id()
                  + " with "
                  + (o.vrrpPassword() == null ? "no" : "another")
                  + " VRRP password; a VIP is one VRRP instance, so both must use the same");
        }
        String field = differingVrrpField(f, o);
        if (field != null) {
          throw new InvalidConfigException(
              "frontend." + field,
              "VIP "
                  + address
                  + " is also served by load balancer "
                  + other.id()
                  + " as "
                  + vrrpSettings(o)
                  + "; a VIP is one VRRP instance, so both must name the same virtualIP"
                  + " (with its prefix), interface and virtualRouterId (this push: "
                  + vrrpSettings(f)
                  + ")");
        }
      } else if (java.util.Objects.equals(f.interfaceName(), o.interfaceName())
          && java.util.Objects.equals(f.virtualRouterId(), o.virtualRouterId())) {
        throw new InvalidConfigException(
            "frontend.virtualRouterId",
            f.virtualRouterId()
                + " on "
                + f.interfaceName()
                + " is already the VRRP instance of VIP "
                + o.virtualIP()
                + " (load balancer "
                + other.id()
                + "); each VIP on an interface needs a router id of its own");
      }
    }
  }

  /**
   * An IPv6 VIP on a frontend bound to IPv4 (0.0.0.0 is IPv4 only) would be held by keepalived and
   * refuse every client, and the other way round; refused at push time instead.
   */
  private void checkVipFamily(String vip, String bind) {
    boolean vipIs6 = vip.contains(":");
    if (vipIs6 && !hostHasIpv6) {
      throw new InvalidConfigException(
          "frontend.virtualIP",
          vip + " is IPv6 but this lb host cannot open IPv6 sockets (IPv6 disabled in its kernel)");
    }
    boolean bindIs6 = bind.contains(":");
    boolean served = vipIs6 ? bindIs6 : !bindIs6 || ConfigValidator.isWildcard(bind);
    if (!served) {
      throw new InvalidConfigException(
          "frontend.virtualIP",
          vip
              + " is IPv"
              + (vipIs6 ? 6 : 4)
              + " but the frontend binds "
              + bind
              + (frontendBind != null ? " (this proxy's frontendBind)" : "")
              + ", which is IPv"
              + (bindIs6 ? 6 : 4)
              + " only: clients of the VIP would be refused; bind :: (IPv6 and IPv4) or the VIP's"
              + " own family");
    }
  }

  private static String address(String cidr) {
    int slash = cidr.indexOf('/');
    return slash < 0 ? cidr : cidr.substring(0, slash);
  }

  /** The first VRRP setting in which two frontends on one VIP differ; null when none does. */
  private static String differingVrrpField(FrontendConfig a, FrontendConfig b) {
    if (!a.virtualIP().equals(b.virtualIP())) {
      return "virtualIP";
    }
    if (!java.util.Objects.equals(a.interfaceName(), b.interfaceName())) {
      return "interface";
    }
    return java.util.Objects.equals(a.virtualRouterId(), b.virtualRouterId())
        ? null
        : "virtualRouterId";
  }

  private static String vrrpSettings(FrontendConfig f) {
    return f.virtualIP() + " on " + f.interfaceName() + ", virtualRouterId " + f.virtualRouterId();
  }

  /** The applied configs by load balancer id, as of now. */
  public Map<String, LoadBalancerConfig> configs() {
    Map<String, LoadBalancerConfig> out = new HashMap<>();
    served.forEach((k, v) -> out.put(k, v.config()));
    return out;
  }

  public Optional<LoadBalancerStatus> status(String id) {
    return Optional.ofNullable(served.get(id)).map(ServedLoadBalancer::status);
  }

  public ProxyStatus status(Boolean vipHeld) {
    List<ProxyStatus.Summary> summaries =
        new TreeMap<>(served).values().stream().map(ServedLoadBalancer::summary).toList();
    Readiness r = readiness();
    return new ProxyStatus(name, bootId, r.ready(), r.reason(), vipHeld, summaries)
        .withKeepalivedProblem(keepalivedProblem.get());
  }

  /** Where the status learns what became of the VIP hand-off (set once keepalived is used). */
  public void keepalivedProblem(java.util.function.Supplier<String> problem) {
    this.keepalivedProblem = problem;
  }

  /**
   * The first step of a stop: readiness fails from now on (keepalived moves the VIP away) while
   * every frontend keeps serving.
   */
  public void beginStop() {
    stopping = true;
    log.info("stopping: /readyz fails from now on; still serving until the listeners close");
  }

  /** The second step: no new connections; established ones live on until they end or are cut. */
  public synchronized void stopAccepting() {
    served.values().forEach(ServedLoadBalancer::stopAccepting);
  }

  /** Proxied connections open now, over every frontend. */
  public int activeConnections() {
    return served.values().stream().mapToInt(ServedLoadBalancer::activeConnections).sum();
  }

  /** Ready when every frontend listens with at least one backend up (keepalived's track script). */
  public Readiness readiness() {
    return readiness(lb -> true, "no load balancer is configured yet");
  }

  /**
   * Readiness for one VIP (its VRRP instance's track script): every load balancer on that address
   * listens with at least one backend up; the others do not count, so one resource with no server
   * up never moves another resource's VIP.
   *
   * @param vip the VIP's address, without prefix
   */
  public Readiness readiness(String vip) {
    return readiness(
        lb -> {
          String cidr = lb.config().frontend().virtualIP();
          return cidr != null && address(cidr).equals(vip);
        },
        "no load balancer on this proxy has the VIP " + vip);
  }

  /** Ready when every load balancer {@code counted} is ready, and there is at least one. */
  private Readiness readiness(
      java.util.function.Predicate<ServedLoadBalancer> counted, String noneCounted) {
    if (stopping) {
      return new Readiness(false, "shutting down");
    }
    if (stateProblem != null) {
      return new Readiness(false, stateProblem);
    }
    boolean any = false;
    for (ServedLoadBalancer lb : new TreeMap<>(served).values()) {
      if (!counted.test(lb)) {
        continue;
      }
      any = true;
      String problem = lb.notReadyReason();
      if (problem != null) {
        return new Readiness(false, lb.id() + ": " + problem);
      }
    }
    return any ? new Readiness(true, null) : new Readiness(false, noneCounted);
  }

  public String name() {
    return name;
  }

  public String bootId() {
    return bootId;
  }

  public boolean stopping() {
    return stopping;
  }

  /** The lowest epoch a push of {@code id} must carry (0 for one never pushed or re-adopted). */
  public long fence(String id) {
    return fences.getOrDefault(id, 0L);
  }

  /**
   * Re-adoption by an admin: forgets the fence of {@code id}, so the next push from any operator is
   * accepted and sets it anew; the config served stays. Returns the fence it had.
   *
   * @throws PersistenceException the state could not be written; nothing changed
   */
  public synchronized long adopt(String id) {
    ConfigValidator.checkId(id);
    long was = fence(id);
    Map<String, Long> nextFences = new TreeMap<>(fences);
    nextFences.remove(id);
    try {
      store.save(configs(), nextFences);
    } catch (IOException e) {
      throw new PersistenceException(
          "cannot persist the state file, fence not reset: " + e.getMessage(), e);
    }
    fences = Map.copyOf(nextFences);
    return was;
  }

  @Override
  public synchronized void close() {
    served.values().forEach(ServedLoadBalancer::stop);
    served.clear();
    scheduler.shutdownNow();
  }

  /** Whether this proxy should hold the VIP, and why not. */
  public record Readiness(boolean ready, String reason) {}

  private volatile java.util.function.Supplier<String> keepalivedProblem = () -> null;
}
