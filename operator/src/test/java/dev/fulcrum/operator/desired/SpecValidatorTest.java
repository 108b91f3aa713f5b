package dev.fulcrum.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.operator.crd.BackendsSpec;
import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec;
import dev.fulcrum.operator.crd.FrontendSpec;
import dev.fulcrum.operator.crd.HealthCheckSpec;
import dev.fulcrum.operator.crd.ProxySpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecValidatorTest {
  static ExternalLoadBalancerSpec valid() {
    ExternalLoadBalancerSpec s = new ExternalLoadBalancerSpec();
    s.frontend = new FrontendSpec();
    s.frontend.port = 6443;
    s.frontend.virtualIP = "127.0.0.100/24";
    s.frontend.interfaceName = "eth1";
    s.frontend.virtualRouterId = 51;
    s.proxies = List.of(new ProxySpec("lb-1", "https://127.0.0.98:9443", 200));
    s.credentialsSecretRef = new ExternalLoadBalancerSpec.SecretRef("creds");
    return s;
  }

  @Test
  void theDesignDocumentsExampleIsValid() {
    assertThat(SpecValidator.problems(valid())).isEmpty();
  }

  @Test
  void eachProblemNamesItsField() {
    ExternalLoadBalancerSpec s = valid();
    s.frontend.virtualIP = "127.0.0.100";
    s.backends = new BackendsSpec();
    s.backends.minBackends = 0;
    s.backends.staticEndpoints = List.of("fd00::1:6443");
    s.healthCheck = new HealthCheckSpec();
    s.healthCheck.rise = 0;
    s.proxies =
        List.of(
            new ProxySpec("lb-1", "http://127.0.0.98:9443", 1),
            new ProxySpec("lb-1", "https://x:1", 1));
    s.credentialsSecretRef = null;
    s.frontend.interfaceName = null;
    s.proxies.get(0).priority = 255;
    assertThat(SpecValidator.problems(s))
        .anySatisfy(p -> assertThat(p).startsWith("spec.frontend.interface:"))
        .anySatisfy(p -> assertThat(p).startsWith("spec.proxies[0].priority:").contains("254"))
        .noneSatisfy(p -> assertThat(p).startsWith("spec.frontend.priorities"))
        .anySatisfy(p -> assertThat(p).startsWith("spec.frontend.virtualIP:"))
        .anySatisfy(p -> assertThat(p).startsWith("spec.backends.minBackends:"))
        .anySatisfy(
            p -> assertThat(p).startsWith("spec.backends.static[0]:").contains("[address]:port"))
        .anySatisfy(p -> assertThat(p).startsWith("spec.healthCheck.rise:"))
        .anySatisfy(p -> assertThat(p).startsWith("spec.proxies[0].endpoint:"))
        .anySatisfy(p -> assertThat(p).startsWith("spec.proxies[1].name:").contains("unique"))
        .anySatisfy(p -> assertThat(p).startsWith("spec.credentialsSecretRef.name:"));
  }
}
