package dev.fulcrum.proxy.vip;

import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.FrontendConfig;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.testing.TestConfigs;
import java.util.List;
import java.util.Map;

/** Load balancer configs with a VIP, for the keepalived tests. */
final class VipConfigs {
  private VipConfigs() {}

  static LoadBalancerConfig withVip(int port, String vip, int routerId, Map<String, Integer> prio) {
    return new LoadBalancerConfig(
        null,
        1L,
        new FrontendConfig(port, null, vip, "eth1", routerId, prio),
        null,
        null,
        null,
        List.of(new BackendConfig("server-1", "10.10.10.50", 6443)),
        null,
        null,
        null);
  }

  static LoadBalancerConfig withoutVip(int port) {
    return new LoadBalancerConfig(
        null,
        1L,
        new FrontendConfig(port, null, null, null, null),
        null,
        null,
        null,
        List.of(new BackendConfig("server-1", "10.10.10.50", 6443)),
        null,
        null,
        null);
  }

  /** {@code c} with VRRP authentication. */
  static LoadBalancerConfig withPassword(LoadBalancerConfig c, String password) {
    FrontendConfig f = c.frontend();
    return TestConfigs.withFrontend(
        c.withVersion(null, c.epoch()),
        new FrontendConfig(
            f.port(),
            f.bind(),
            f.virtualIP(),
            f.interfaceName(),
            f.virtualRouterId(),
            f.priorities(),
            f.unicastPeers(),
            f.preemptDelaySeconds(),
            password));
  }

  /** {@code c} with unicast VRRP peers and a preempt delay. */
  static LoadBalancerConfig withUnicast(
      LoadBalancerConfig c, Map<String, String> peers, Integer preemptDelaySeconds) {
    FrontendConfig f = c.frontend();
    return TestConfigs.withFrontend(
        c.withVersion(null, c.epoch()),
        new FrontendConfig(
            f.port(),
            f.bind(),
            f.virtualIP(),
            f.interfaceName(),
            f.virtualRouterId(),
            f.priorities(),
            peers,
            preemptDelaySeconds));
  }
}
