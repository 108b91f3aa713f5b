package dev.fulcrum.proxy.testing;

import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.Balance;
import dev.fulcrum.proxy.api.FrontendConfig;
import dev.fulcrum.proxy.api.HealthCheckConfig;
import dev.fulcrum.proxy.api.HealthCheckMode;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Configs for admin and store tests: TCP checks with long intervals, so tests drive health. */
public final class TestConfigs {
  private TestConfigs() {}

  /** A config for port {@code port} balancing over these echo backends. */
  public static LoadBalancerConfig config(int port, long epoch, EchoBackend... backends) {
    return config(
        port,
        epoch,
        Arrays.stream(backends).map(b -> new BackendConfig(b.name(), b.host(), b.port())).toList());
  }

  public static LoadBalancerConfig config(int port, long epoch, List<BackendConfig> backends) {
    return new LoadBalancerConfig(
        null,
        epoch,
        new FrontendConfig(port, "127.0.0.1", null, null, null),
        Balance.ROUND_ROBIN,
        new HealthCheckConfig(HealthCheckMode.TCP, 3600, 3600, 1, 1, 2, null, null, null),
        null,
        backends,
        null,
        null,
        null);
  }

  /** A port that was free a moment ago on 127.0.0.1, for a frontend (configs cannot say 0). */
  public static int freePort() {
    return Ports.free("127.0.0.1");
  }

  /** {@code c} with another health check. */
  public static LoadBalancerConfig withHealthCheck(LoadBalancerConfig c, HealthCheckConfig check) {
    return new LoadBalancerConfig(
        c.version(),
        c.epoch(),
        c.frontend(),
        c.balance(),
        check,
        c.timeouts(),
        c.backends(),
        c.maxConnections(),
        c.rebalance(),
        c.admission());
  }

  /** {@code c} with another frontend, everything else as it is. */
  public static LoadBalancerConfig withFrontend(LoadBalancerConfig c, FrontendConfig frontend) {
    return new LoadBalancerConfig(
        c.version(),
        c.epoch(),
        frontend,
        c.balance(),
        c.healthCheck(),
        c.timeouts(),
        c.backends(),
        c.maxConnections(),
        c.rebalance(),
        c.admission());
  }

  /** {@code c} listening on {@code bind}; null for the default (dual-stack {@code ::}). */
  public static LoadBalancerConfig withBind(LoadBalancerConfig c, String bind) {
    FrontendConfig f = c.frontend();
    return withFrontend(
        c,
        new FrontendConfig(
            f.port(),
            bind,
            f.virtualIP(),
            f.interfaceName(),
            f.virtualRouterId(),
            f.priorities(),
            f.unicastPeers(),
            f.preemptDelaySeconds()));
  }

  /** {@code c} with a VIP on eth1 (a config only: nothing is sent to it). */
  public static LoadBalancerConfig onVip(
      LoadBalancerConfig c, String cidr, int routerId, Map<String, Integer> priorities) {
    FrontendConfig f = c.frontend();
    return withFrontend(
        c, new FrontendConfig(f.port(), f.bind(), cidr, "eth1", routerId, priorities));
  }
}
