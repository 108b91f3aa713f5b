package dev.fulcrum.proxy.vip;

import static dev.fulcrum.proxy.vip.VipConfigs.withVip;
import static dev.fulcrum.proxy.vip.VipConfigs.withoutVip;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Checks against this host's real interfaces: loopback is always there, 192.0.2.x never is. */
class VipHeldTest {
  private static final Map<String, Integer> PRIO = Map.of("lb-1", 200);

  @Test
  void unknownWhenNoLoadBalancerHasAVip() {
    VipHeld held = new VipHeld(() -> VirtualIp.of(Map.of("a.b", withoutVip(6443))));

    assertThat(held.get()).isNull();
  }

  @Test
  void heldWhenTheVipIsOnALocalInterface() {
    VipHeld held =
        new VipHeld(() -> VirtualIp.of(Map.of("a.b", withVip(6443, "127.0.0.1/8", 51, PRIO))));

    assertThat(held.get()).isTrue();
  }

  @Test
  void notHeldWhenNoLocalInterfaceHasTheVip() {
    // TEST-NET-1 is never assigned to a real host.
    VipHeld held =
        new VipHeld(() -> VirtualIp.of(Map.of("a.b", withVip(6443, "192.0.2.199/24", 51, PRIO))));

    assertThat(held.get()).isFalse();
  }

  @Test
  void theMetricFollowsWhetherTheVipIsHeld() {
    Map<String, dev.fulcrum.proxy.api.LoadBalancerConfig> applied = new java.util.HashMap<>();
    applied.put("a.b", withVip(6443, "192.0.2.199/24", 51, PRIO));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new VipHeld(() -> VirtualIp.of(applied)).register(registry);

    assertThat(registry.get("fulcrum.vip.held").gauge().value()).isZero();
    applied.put("a.b", withVip(6443, "127.0.0.1/8", 51, PRIO));
    assertThat(registry.get("fulcrum.vip.held").gauge().value()).isEqualTo(1.0);
  }
}
