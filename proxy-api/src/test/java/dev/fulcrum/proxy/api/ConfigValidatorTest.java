package dev.fulcrum.proxy.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigValidatorTest {
  private static LoadBalancerConfig with(
      FrontendConfig frontend, HealthCheckConfig health, List<BackendConfig> backends) {
    return new LoadBalancerConfig(
        null, 0L, frontend, null, health, null, backends, null, null, null);
  }

  private static final FrontendConfig FRONTEND = new FrontendConfig(6443, null, null, null, null);
  private static final List<BackendConfig> ONE =
      List.of(new BackendConfig("s1", "10.10.10.50", 6443));

  @Test
  void theSeedTopologyIsValid() {
    assertThat(
            ConfigValidator.problems(
                with(
                    new FrontendConfig(6443, "0.0.0.0", "10.10.10.100/24", "eth1", 51),
                    null,
                    List.of(
                        new BackendConfig("server-1", "10.10.10.50", 6443),
                        new BackendConfig("server-2", "10.10.10.51", 6443),
                        new BackendConfig("server-3", "fd00::52", 6443)))))
        .isEmpty();
  }

  @Test
  void eachProblemNamesItsField() {
    assertThat(
            ConfigValidator.problems(
                with(
                    new FrontendConfig(0, "eth0", "10.10.10.100", null, 300),
                    new HealthCheckConfig(
                        HealthCheckMode.HTTPS, 0, null, null, 0, null, "ping", 99, null),
                    List.of(new BackendConfig("", "bad host!", 0)))))
        .containsExactly(
            "frontend.port: must be between 1 and 65535 (got 0)",
            "frontend.bind: must be an IP address literal (got \"eth0\")",
            "frontend.virtualIP: must be an address with a prefix, e.g. 10.10.10.100/24 (got \"10.10.10.100\")",
            "frontend.virtualRouterId: must be between 1 and 255 (got 300)",
            "frontend.interface: is required with a virtualIP (the interface keepalived uses)",
            "healthCheck.intervalSeconds: must be between 1 and 3600 (got 0)",
            "healthCheck.fall: must be between 1 and 100 (got 0)",
            "healthCheck.path: must start with / (got \"ping\")",
            "healthCheck.expectStatus: must be between 100 and 599 (got 99)",
            "backends[0].name: is required",
            "backends[0].address: must be an IP address or host name (got \"bad host!\")",
            "backends[0].port: must be between 1 and 65535 (got 0)");
  }

  @Test
  void aVrrpPasswordIsForIpv4VipsAndKeepalivedsCharactersAndIsNeverEchoed() {
    FrontendConfig v4 =
        new FrontendConfig(6443, null, "10.10.10.100/24", "eth1", 51, null, null, null, "pa$$word");
    FrontendConfig v6 =
        new FrontendConfig(6443, "::", "fd00::100/64", "eth1", 51, null, null, null, "k3s-vrrp");
    FrontendConfig ok =
        new FrontendConfig(6443, null, "10.10.10.100/24", "eth1", 51, null, null, null, "k3s-vrrp");

    assertThat(ConfigValidator.problems(with(v4, null, ONE)))
        .containsExactly(
            "frontend.vrrpPassword: must be 1 to 8 characters of A-Z a-z 0-9 . _ - + = @ % ^ & * :"
                + " , / ? ~ (value not shown)");
    assertThat(ConfigValidator.problems(with(v6, null, ONE)))
        .containsExactly(
            "frontend.vrrpPassword: is only used with an IPv4 virtualIP (VRRP over IPv6 has no"
                + " authentication)");
    assertThat(ConfigValidator.problems(with(ok, null, ONE))).isEmpty();
  }

  @Test
  void theAdmissionPaceIsCheckedAndDefaultsToAThousandASecond() {
    LoadBalancerConfig paced =
        new LoadBalancerConfig(
            null, 0L, FRONTEND, null, null, null, ONE, null, null, new AdmissionConfig(-1, 0));
    assertThat(ConfigValidator.problems(paced))
        .containsExactly(
            "admission.newConnectionsPerSecond: must be between 0 and 1000000 (got -1)",
            "admission.dialsInFlight: must be between 1 and 100000 (got 0)");
    assertThat(with(FRONTEND, null, ONE).admission()).isEqualTo(new AdmissionConfig(1000, 256));
    assertThat(
            new LoadBalancerConfig(
                    null,
                    0L,
                    FRONTEND,
                    null,
                    null,
                    null,
                    ONE,
                    null,
                    null,
                    new AdmissionConfig(0, null))
                .admission())
        .as("0 turns the rate off; the cap keeps its default")
        .isEqualTo(new AdmissionConfig(0, 256));
  }

  @Test
  void vrrpPrioritiesAreCheckedPerProxy() {
    FrontendConfig vip =
        new FrontendConfig(
            6443, null, "10.10.10.100/24", "eth1", 51, java.util.Map.of("lb-1", 200, "lb-2", 255));

    assertThat(ConfigValidator.problems(with(vip, null, ONE)))
        .containsExactly("frontend.priorities.lb-2: must be between 1 and 254 (got 255)");
  }

  @Test
  void unicastPeersMustBeAddressesAndThePreemptDelayInRange() {
    FrontendConfig vip =
        new FrontendConfig(
            6443,
            null,
            "10.10.10.100/24",
            "eth1",
            51,
            null,
            java.util.Map.of("lb-1", "10.10.10.98", "lb-2", "10.10.10.99\n}"),
            1001);
    FrontendConfig noVip =
        new FrontendConfig(
            6443, null, null, null, null, null, java.util.Map.of("lb-1", "10.10.10.98"), 5);

    assertThat(ConfigValidator.problems(with(vip, null, ONE)))
        .containsExactly(
            "frontend.unicastPeers.lb-2: must be the proxy's IP address on the VRRP interface"
                + " (got \"10.10.10.99\n}\")",
            "frontend.preemptDelaySeconds: must be between 0 and 1000 (got 1001)");
    assertThat(ConfigValidator.problems(with(noVip, null, ONE)))
        .containsExactly(
            "frontend.unicastPeers: is only used with a virtualIP",
            "frontend.unicastPeers: needs this proxy and at least one peer",
            "frontend.preemptDelaySeconds: is only used with a virtualIP");
  }

  @Test
  void anInterfaceNameThatCouldBreakKeepalivedConfIsRefused() {
    FrontendConfig vip =
        new FrontendConfig(6443, null, "10.10.10.100/24", "eth1 }\nvrrp_script x {", 51, null);

    assertThat(ConfigValidator.problems(with(vip, null, ONE)))
        .containsExactly(
            "frontend.interface: must be an interface name like eth1 (got \"eth1 }\nvrrp_script x"
                + " {\")");
  }

  @Test
  void duplicateBackendsAndAnEmptySetAreRefused() {
    assertThat(
            ConfigValidator.problems(
                with(
                    FRONTEND,
                    null,
                    List.of(
                        new BackendConfig("a", "10.10.10.50", 6443),
                        new BackendConfig("b", "10.10.10.50", 6443)))))
        .containsExactly("backends[1]: duplicates backends[0] (10.10.10.50:6443)");
    assertThat(ConfigValidator.problems(with(FRONTEND, null, List.of())))
        .containsExactly(
            "backends: must not be empty (a frontend without backends refuses every client)");
  }

  @Test
  void aVersionThatDoesNotMatchTheContentIsRefused() {
    LoadBalancerConfig c = with(FRONTEND, null, ONE).withVersion("sha256:00", 0L);

    assertThatThrownBy(() -> ConfigValidator.validate(c))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith("version: does not match the content");
  }

  @Test
  void loadBalancerIdsAreNamespaceDotName() {
    ConfigValidator.checkId("fulcrum-system.k3s-api");
    assertThatThrownBy(() -> ConfigValidator.checkId("k3s-api")).hasMessageStartingWith("id: ");
    assertThatThrownBy(() -> ConfigValidator.checkId("../etc.passwd"))
        .hasMessageStartingWith("id: ");
  }
}
