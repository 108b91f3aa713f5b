package dev.fulcrum.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.operator.crd.AdmissionSpec;
import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec;
import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.crd.RebalanceSpec;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.proxy.api.AdmissionConfig;
import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.api.RebalanceConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The spec's connection settings reach the proxies as written, and change the pushed version. */
class SpecMappingTest {
  private static final List<BackendConfig> ONE =
      List.of(new BackendConfig("s1", "127.0.0.11", 6443));

  private static ExternalLoadBalancerSpec spec() {
    return Resources.elb(
            "k3s-api",
            6443,
            "127.0.0.100/24",
            List.of(new ProxySpec("lb-1", "https://127.0.0.1:9443", 200)))
        .getSpec();
  }

  @Test
  void maxConnectionsRebalanceAndAdmissionArePushedAsWritten() {
    ExternalLoadBalancerSpec s = spec();
    s.maxConnections = 5000;
    s.rebalance = new RebalanceSpec();
    s.rebalance.closesPerSecond = 20;
    s.rebalance.tolerancePercent = 10;
    s.admission = new AdmissionSpec();
    s.admission.newConnectionsPerSecond = 300;
    s.admission.dialsInFlight = 64;

    LoadBalancerConfig c = SpecMapping.toConfig(s, ONE, 7);

    assertThat(c.maxConnections()).isEqualTo(5000);
    assertThat(c.rebalance()).isEqualTo(new RebalanceConfig(20, 10));
    assertThat(c.admission()).isEqualTo(new AdmissionConfig(300, 64));
    assertThat(c.version())
        .as("a changed setting is a new version, so the proxies get it")
        .isNotEqualTo(SpecMapping.toConfig(spec(), ONE, 7).version());
  }

  @Test
  void leftOutTheyAreTheProxysDefaults() {
    LoadBalancerConfig c = SpecMapping.toConfig(spec(), ONE, 7);
    assertThat(c.maxConnections()).isEqualTo(LoadBalancerConfig.DEFAULT_MAX_CONNECTIONS);
    assertThat(c.admission()).isEqualTo(new AdmissionConfig(1000, 256));
    assertThat(c.rebalance()).isEqualTo(new RebalanceConfig(0, 15));
  }

  @Test
  void unicastVrrpNamesEachProxysAddressFromItsEndpointOrItsVrrpAddress() {
    ExternalLoadBalancerSpec s = spec();
    s.proxies =
        List.of(
            new ProxySpec("lb-1", "https://10.10.10.98:9443", 200),
            new ProxySpec("lb-2", "https://lb-2.example:9443", 100),
            new ProxySpec("lb-3", "https://[fd00::99]:9443", 50));
    s.proxies.get(1).vrrpAddress = "10.10.10.99";
    s.frontend.unicast = true;
    s.frontend.preemptDelaySeconds = 30;

    LoadBalancerConfig c = SpecMapping.toConfig(s, ONE, 7);

    assertThat(c.frontend().unicastPeers())
        .containsExactly(
            Map.entry("lb-1", "10.10.10.98"),
            Map.entry("lb-2", "10.10.10.99"),
            Map.entry("lb-3", "fd00::99"));
    assertThat(c.frontend().preemptDelaySeconds()).isEqualTo(30);
    assertThat(SpecValidator.problems(s)).isEmpty();

    s.proxies.get(1).vrrpAddress = null;
    assertThat(SpecValidator.problems(s))
        .containsExactly(
            "spec.proxies[1].vrrpAddress: is required with frontend.unicast when the endpoint's"
                + " host is not an IP address (got \"lb-2.example\")");
  }

  @Test
  void multicastByDefaultAndAnUnchangedVersionForSpecsWithoutTheNewFields() {
    LoadBalancerConfig c = SpecMapping.toConfig(spec(), ONE, 7);
    assertThat(c.frontend().unicastPeers()).isNull();
    assertThat(c.frontend().preemptDelaySeconds()).isNull();
    assertThat(
            dev.fulcrum.proxy.api.WireJson.MAPPER
                .valueToTree(c)
                .path("frontend")
                .has("unicastPeers"))
        .as("absent on the wire, so proxies already serving it see the same version")
        .isFalse();
  }
}
