package dev.fulcrum.proxy.vip;

import static dev.fulcrum.proxy.vip.VipConfigs.withVip;
import static dev.fulcrum.proxy.vip.VipConfigs.withoutVip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeepalivedConfigTest {
  private static final Map<String, Integer> PRIO = Map.of("lb-1", 200, "lb-2", 100);
  private static final String CHECK = "/etc/keepalived/fulcrum-readyz.sh";

  private static String render(
      String proxy, Map<String, dev.fulcrum.proxy.api.LoadBalancerConfig> c) {
    return KeepalivedConfig.render(proxy, CHECK, VirtualIp.of(c));
  }

  @Test
  void eachProxyTakesItsOwnPriorityFromTheSharedMap() {
    var configs = Map.of("default.k3s-api", withVip(6443, "10.10.10.100/24", 51, PRIO));

    assertThat(render("lb-1", configs)).contains("  priority 200\n").doesNotContain("priority 100");
    assertThat(render("lb-2", configs)).contains("  priority 100\n").doesNotContain("priority 200");
  }

  @Test
  void theInstanceStartsAsBackupAndTracksReadiness() {
    String conf =
        render("lb-1", Map.of("default.k3s-api", withVip(6443, "10.10.10.100/24", 51, PRIO)));

    assertThat(conf)
        .contains("global_defs {\n  script_user root\n  enable_script_security\n}")
        .contains(
            "vrrp_script fulcrum_51_10_10_10_100_ready {\n  script \""
                + CHECK
                + " 10.10.10.100\"\n")
        .contains("  interval 1\n", "  fall 2\n", "  rise 2\n")
        .contains("vrrp_instance fulcrum_51_10_10_10_100 {\n  state BACKUP\n  interface eth1\n")
        .contains("  virtual_router_id 51\n", "  advert_int 1\n")
        .contains("  virtual_ipaddress {\n    10.10.10.100/24\n  }\n")
        .contains("  track_script {\n    fulcrum_51_10_10_10_100_ready\n  }\n")
        // Preemption is what brings the VIP back to the higher priority: never switched off.
        .doesNotContain("nopreempt", "state MASTER");
  }

  @Test
  void frontendsSharingAVipGetOneInstanceAndDistinctVipsOneEach() {
    var configs =
        Map.of(
            "default.k3s-api", withVip(6443, "10.10.10.100/24", 51, PRIO),
            "default.k3s-supervisor", withVip(9345, "10.10.10.100/24", 51, PRIO),
            "default.ingress", withVip(443, "10.10.10.101/24", 52, PRIO),
            "default.plain", withoutVip(8080));

    String conf = render("lb-1", configs);

    assertThat(conf.split("vrrp_instance ", -1)).hasSize(3);
    // Each instance tracks its own VIP's readiness only.
    assertThat(conf)
        .contains("script \"" + CHECK + " 10.10.10.100\"", "script \"" + CHECK + " 10.10.10.101\"")
        .contains("track_script {\n    fulcrum_52_10_10_10_101_ready\n  }");
    assertThat(conf)
        .contains(
            "# default.k3s-api, default.k3s-supervisor\nvrrp_script fulcrum_51_10_10_10_100_ready")
        .contains("# default.ingress\nvrrp_script fulcrum_52_10_10_10_101_ready")
        .contains(
            "vrrp_instance fulcrum_51_10_10_10_100 {", "vrrp_instance fulcrum_52_10_10_10_101 {")
        .doesNotContain("default.plain");
  }

  @Test
  void aProxyMissingFromThePrioritiesGetsKeepalivedsDefault() {
    String conf = render("lb-3", Map.of("a.b", withVip(6443, "10.10.10.100/24", 51, PRIO)));

    assertThat(conf).contains("  priority 100\n");
  }

  @Test
  void withoutVipsTheFileHasNoInstanceSoAStaleVipIsReleased() {
    String conf = KeepalivedConfig.render("lb-1", CHECK, List.of());

    assertThat(conf).contains("script_user root").doesNotContain("vrrp_instance", "vrrp_script");
  }

  @Test
  void anInterfaceThatCouldInjectConfigIsRefused() {
    VirtualIp evil =
        new VirtualIp("10.10.10.100/24", "eth1\n}\nglobal_defs {", 51, PRIO, List.of("a.b"));

    assertThatThrownBy(() -> KeepalivedConfig.render("lb-1", CHECK, List.of(evil)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a plain name");
  }

  @Test
  void twoVipsWithOneRouterIdOnOneInterfaceAreRefusedNamingBoth() {
    var configs =
        Map.of(
            "default.a", withVip(6443, "10.10.10.100/24", 51, PRIO),
            "default.b", withVip(443, "10.10.10.101/24", 51, PRIO));

    assertThatThrownBy(() -> render("lb-1", configs))
        .hasMessage(
            "virtualRouterId 51 on eth1 is used by two VIPs: 10.10.10.100/24 [default.a] and"
                + " 10.10.10.101/24 [default.b]");
  }

  @Test
  void aVrrpPasswordIsRenderedAsPassAuthenticationAndNeverPrinted() {
    var configs =
        Map.of(
            "default.k3s-api",
            VipConfigs.withPassword(withVip(6443, "10.10.10.100/24", 51, PRIO), "k3s-vrrp"));

    assertThat(render("lb-1", configs))
        .contains("  authentication {\n    auth_type PASS\n    auth_pass k3s-vrrp\n  }\n");
    assertThat(VirtualIp.of(configs).toString()).doesNotContain("k3s-vrrp");
    assertThat(configs.get("default.k3s-api").toString()).doesNotContain("k3s-vrrp");
    assertThat(
            render("lb-1", Map.of("default.k3s-api", withVip(6443, "10.10.10.100/24", 51, PRIO))))
        .doesNotContain("authentication");
  }

  @Test
  void unicastSendsFromThisHostToEveryPeerAndPreemptionCanWait() {
    var configs =
        Map.of(
            "default.k3s-api",
            VipConfigs.withUnicast(
                withVip(6443, "10.10.10.100/24", 51, PRIO),
                Map.of("lb-1", "10.10.10.98", "lb-2", "10.10.10.99", "lb-3", "10.10.10.97"),
                30));

    String lb1 = render("lb-1", configs);
    String lb2 = render("lb-2", configs);

    assertThat(lb1)
        .contains(
            "  preempt_delay 30\n"
                + "  unicast_src_ip 10.10.10.98\n"
                + "  unicast_peer {\n    10.10.10.99\n    10.10.10.97\n  }\n");
    assertThat(lb2).contains("  unicast_src_ip 10.10.10.99\n  unicast_peer {\n    10.10.10.98\n");
    assertThat(
            render("lb-1", Map.of("default.k3s-api", withVip(6443, "10.10.10.100/24", 51, PRIO))))
        .as("multicast by default")
        .doesNotContain("unicast", "preempt_delay");
  }
}
