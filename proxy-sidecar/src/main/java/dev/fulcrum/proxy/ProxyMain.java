package dev.fulcrum.proxy;

import dev.fulcrum.proxy.admin.AdminServer;
import dev.fulcrum.proxy.admin.AdminSettings;
import dev.fulcrum.proxy.api.InvalidConfigException;
import dev.fulcrum.proxy.config.ProxyConfig;
import dev.fulcrum.proxy.config.ProxyConfigLoader;
import dev.fulcrum.proxy.engine.ProxyEngine;
import dev.fulcrum.proxy.metrics.ProxyMetrics;
import dev.fulcrum.proxy.net.Transport;
import dev.fulcrum.proxy.store.StateStore;
import dev.fulcrum.proxy.telemetry.TelemetryServer;
import dev.fulcrum.proxy.vip.KeepalivedSync;
import dev.fulcrum.proxy.vip.VipHeld;
import dev.fulcrum.proxy.vip.VirtualIp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar fulcrum-proxy.jar --config proxy.yaml}: serves persisted state first, then
 * listens for pushes.
 */
public final class ProxyMain implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProxyMain.class);

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final ProxyEngine engine;
  private final AdminServer admin;
  private final TelemetryServer telemetry;

  private ProxyMain(ProxyConfig config, Supplier<Boolean> vipHeld) throws IOException {
    Transport transport =
        new Transport(
            config.workerThreads() == null ? 0 : config.workerThreads(),
            config.transport() == null
                ? Transport.DEFAULT_KIND
                : Transport.Kind.parse(config.transport()));
    resources.add(transport);
    ProxyMetrics metrics = new ProxyMetrics();
    engine =
        new ProxyEngine(
            config.name(),
            config.frontendBind(),
            transport,
            new StateStore(config.stateDirPath()),
            metrics);
    resources.add(0, engine);
    engine.restore();
    applyStatic(config);
    telemetry =
        config.telemetry() == null || config.telemetry().listen() == null
            ? null
            : new TelemetryServer(
                    ProxyConfig.parseListen(config.telemetry().listen()), engine, metrics)
                .start();
    if (telemetry != null) {
      resources.add(0, telemetry);
    }
    Supplier<List<VirtualIp>> vips = () -> VirtualIp.of(engine.configs());
    if (vipHeld == null) {
      vipHeld = new VipHeld(vips).register(metrics.registry());
    }
    if (config.keepalived() != null) {
      startKeepalivedSync(config, vips, metrics);
    }
    ProxyConfig.Admin a = config.admin();
    InetSocketAddress at = ProxyConfig.parseListen(a.listen());
    AdminSettings settings =
        new AdminSettings(
            at.getHostString(),
            at.getPort(),
            path(a.certFile()),
            path(a.keyFile()),
            path(a.clientCaFile()),
            path(a.tokenFile()));
    admin = new AdminServer(settings, config.stateDirPath(), engine, vipHeld).start();
    resources.add(0, admin);
    log.info(
        "proxy {} ready: admin https://{}, telemetry {}, transport {}",
        config.name(),
        hostPort(admin.localAddress()),
        telemetry == null ? "off" : "http://" + hostPort(telemetry.localAddress()),
        transport.kind().label());
  }

  /** Hands keepalived the VRRP instances now and after every applied change. */
  private void startKeepalivedSync(
      ProxyConfig config, Supplier<List<VirtualIp>> vips, ProxyMetrics metrics) {
    String url = config.keepalived().readyzUrl();
    if (url == null) {
      InetSocketAddress t = telemetry.localAddress();
      String host =
          t.getAddress().isAnyLocalAddress() ? "127.0.0.1" : t.getAddress().getHostAddress();
      url =
          "http://"
              + (host.contains(":") ? "[" + host + "]" : host)
              + ":"
              + t.getPort()
              + "/readyz";
    }
    KeepalivedSync sync =
        new KeepalivedSync(
            config.name(),
            java.nio.file.Path.of(config.keepalived().instancesFile()),
            URI.create(url),
            vips,
            java.nio.file.Path.of(
                config.keepalived().resultFile() == null
                    ? ProxyConfig.DEFAULT_RESULT_FILE
                    : config.keepalived().resultFile()));
    engine.keepalivedProblem(sync::problem);
    // 1 while the VRRP instances handed over have reached keepalived (or none are needed), 0 while
    // fulcrum-keepalived refused them or has not rendered them; /v1/status says why.
    io.micrometer.core.instrument.Gauge.builder(
            "fulcrum.keepalived.handoff.ok", sync, s -> s.problem() == null ? 1 : 0)
        .description("Whether this proxy's VRRP instances reached keepalived")
        .register(metrics.registry());
    resources.add(0, sync);
    engine.onChange(sync::changed);
    sync.changed();
  }

  /**
   * Starts a proxy from a loaded config; the caller closes it.
   *
   * @param vipHeld overrides the local-interface check (tests); null to check for real
   */
  public static ProxyMain start(ProxyConfig config, Supplier<Boolean> vipHeld) throws IOException {
    return new ProxyMain(config, vipHeld);
  }

  private void applyStatic(ProxyConfig config) {
    List<ProxyConfig.StaticLoadBalancer> lbs = config.staticLoadBalancers();
    for (int i = 0; i < lbs.size(); i++) {
      ProxyConfig.StaticLoadBalancer lb = lbs.get(i);
      try {
        // The file is authoritative at start: it is applied at its load balancer's fence.
        engine.apply(lb.id(), lb.toConfig(engine.fence(lb.id())), null);
      } catch (InvalidConfigException e) {
        throw new IllegalStateException(
            "loadBalancers[" + i + "] (" + lb.id() + "): " + e.getMessage(), e);
      }
    }
  }

  public ProxyEngine engine() {
    return engine;
  }

  private static Path path(String s) {
    return s == null ? null : Path.of(s);
  }

  private static String hostPort(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  @Override
  public void close() {
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        log.warn("error while stopping: {}", e.toString());
      }
    }
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2 || !args[0].equals("--config")) {
      System.err.println("usage: java -jar fulcrum-proxy.jar --config proxy.yaml");
      System.exit(2);
    }
    ProxyConfig config;
    try {
      config = ProxyConfigLoader.load(Path.of(args[1]));
    } catch (ProxyConfigLoader.ConfigFileException e) {
      System.err.println("fulcrum-proxy: " + e.getMessage());
      System.exit(2);
      return;
    }
    StopSequence stop = StopSequence.install(config.shutdownDelay(), config.drain());
    ProxyMain proxy;
    try {
      proxy = start(config, null);
    } catch (IOException | RuntimeException e) {
      System.err.println("fulcrum-proxy: cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    stop.started(proxy);
    new CountDownLatch(1).await(); // the stop sequence ends the process
  }
}
