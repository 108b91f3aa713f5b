package dev.fulcrum.proxy.net;

import dev.fulcrum.proxy.api.AdmissionConfig;
import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.BackendStatus;
import dev.fulcrum.proxy.api.Balance;
import dev.fulcrum.proxy.api.FrontendConfig;
import dev.fulcrum.proxy.api.HealthCheckConfig;
import dev.fulcrum.proxy.api.HealthCheckMode;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.api.LoadBalancerStatus;
import dev.fulcrum.proxy.api.RebalanceConfig;
import dev.fulcrum.proxy.api.TimeoutsConfig;
import dev.fulcrum.proxy.engine.ProxyEngine;
import dev.fulcrum.proxy.metrics.ProxyMetrics;
import dev.fulcrum.proxy.store.StateStore;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.Ports;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A proxy engine on 127.0.0.1 in front of echo backends, pushed to as the admin API would. */
final class ProxyHarness implements AutoCloseable {
  static final String ID = "test.lb";
  static final String BIND = "127.0.0.1";

  final Transport transport;
  final ProxyEngine engine;
  final ProxyMetrics metrics = new ProxyMetrics();
  final int port;
  private final List<EchoBackend> backends = new ArrayList<>();

  ProxyHarness(Path stateDir) {
    this(stateDir, 2);
  }

  ProxyHarness(Path stateDir, int eventLoops) {
    this(stateDir, eventLoops, kind());
  }

  ProxyHarness(Path stateDir, int eventLoops, Transport.Kind kind) {
    this(stateDir, eventLoops, kind, IdleClock.SYSTEM);
  }

  /** With {@code idleClock}, e.g. one the test moves so idle timeouts pass without waiting. */
  ProxyHarness(Path stateDir, int eventLoops, IdleClock idleClock) {
    this(stateDir, eventLoops, kind(), idleClock);
  }

  private ProxyHarness(Path stateDir, int eventLoops, Transport.Kind kind, IdleClock idleClock) {
    transport = new Transport(eventLoops, kind, idleClock);
    engine = new ProxyEngine("lb-test", BIND, transport, new StateStore(stateDir), metrics);
    port = freePort();
  }

  /**
   * The data plane under test: the default, or the one {@code -Dfulcrum.test.transport} names (e.g.
   * {@code epoll}), so the whole net suite can run against another.
   */
  static Transport.Kind kind() {
    String named = System.getProperty("fulcrum.test.transport");
    if (named == null || named.isBlank()) {
      return Transport.DEFAULT_KIND;
    }
    Transport.Kind k = Transport.Kind.parse(named);
    if (k == null) {
      throw new IllegalArgumentException("fulcrum.test.transport: no transport named " + named);
    }
    return k;
  }

  /** An echo backend on its own loopback address, closed with the harness. */
  EchoBackend backend(String name, String host) {
    EchoBackend b = EchoBackend.start(name, host);
    backends.add(b);
    return b;
  }

  /** Closes a backend the test started itself (e.g. a TLS one) with the harness. */
  void adopt(EchoBackend b) {
    backends.add(b);
  }

  InetSocketAddress proxyAddress() {
    return new InetSocketAddress(BIND, port);
  }

  /**
   * Knobs a test may turn; everything else is the product default. A null admission field is the
   * default pace.
   */
  record Knobs(
      int idleSeconds,
      int maxConnections,
      int closesPerSecond,
      int tolerancePercent,
      Integer newConnectionsPerSecond,
      Integer dialsInFlight) {
    Knobs(int idleSeconds, int maxConnections, int closesPerSecond, int tolerancePercent) {
      this(idleSeconds, maxConnections, closesPerSecond, tolerancePercent, null, null);
    }

    static Knobs defaults() {
      return new Knobs(3600, 10_000, 0, 15);
    }

    Knobs paced(Integer perSecond, Integer inFlight) {
      return new Knobs(
          idleSeconds, maxConnections, closesPerSecond, tolerancePercent, perSecond, inFlight);
    }
  }

  LoadBalancerConfig config(Balance balance, List<EchoBackend> set) {
    return config(balance, set, Knobs.defaults());
  }

  LoadBalancerConfig config(Balance balance, List<EchoBackend> set, Knobs knobs) {
    return configOf(
        balance,
        set.stream().map(b -> new BackendConfig(b.name(), b.host(), b.port())).toList(),
        knobs);
  }

  /** The same, for backends that are not echo backends (e.g. a socket that never accepts). */
  LoadBalancerConfig configOf(Balance balance, List<BackendConfig> list, Knobs knobs) {
    // Health checks stay out of the way: TCP, hourly.
    HealthCheckConfig checks =
        new HealthCheckConfig(HealthCheckMode.TCP, 3600, 3600, 1, 1, 1, null, null, null);
    return new LoadBalancerConfig(
        null,
        0L,
        new FrontendConfig(port, null, null, null, null),
        balance,
        checks,
        new TimeoutsConfig(2, knobs.idleSeconds(), 30),
        list,
        knobs.maxConnections(),
        new RebalanceConfig(knobs.closesPerSecond(), knobs.tolerancePercent()),
        new AdmissionConfig(knobs.newConnectionsPerSecond(), knobs.dialsInFlight()));
  }

  void apply(LoadBalancerConfig config) {
    engine.apply(ID, config, null);
  }

  LoadBalancerStatus status() {
    return engine.status(ID).orElseThrow();
  }

  /** Open connections per backend name, as the proxy counts them. */
  Map<String, Integer> activeByBackend() {
    return status().backends().stream()
        .collect(Collectors.toMap(BackendStatus::name, BackendStatus::activeConnections));
  }

  String health(String backendName) {
    return status().backends().stream()
        .filter(b -> b.name().equals(backendName))
        .findFirst()
        .orElseThrow()
        .health()
        .label();
  }

  static int freePort() {
    return Ports.free(BIND);
  }

  @Override
  public void close() {
    engine.close();
    backends.forEach(EchoBackend::close);
    transport.close();
  }
}
