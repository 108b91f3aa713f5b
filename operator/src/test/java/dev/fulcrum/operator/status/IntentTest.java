package dev.fulcrum.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.operator.crd.BackendsSpec;
import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec;
import dev.fulcrum.operator.crd.FrontendSpec;
import dev.fulcrum.operator.push.ProxyTarget;
import java.util.ArrayList;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IntentTest {
  @Test
  void theStatusReadsTheProxiesInSpecOrderAndWhereAgentsRegister() {
    ExternalLoadBalancerSpec spec = StatusBuilderTest.spec();
    spec.backends = new BackendsSpec();
    spec.backends.minBackends = 2;

    Intent intent = Intent.of(spec);

    assertThat(intent.proxies())
        .containsExactly(
            new ProxyTarget("lb-1", "https://127.0.0.98:9443"),
            new ProxyTarget("lb-2", "https://127.0.0.99:9443"));
    assertThat(intent.registrationHost()).isEqualTo("127.0.0.100");
    assertThat(intent.registrationAddress()).isEqualTo("https://127.0.0.100:6443");
    assertThat(intent.virtualIP()).isTrue();
    assertThat(intent.minBackends()).isEqualTo(2);
  }

  @Test
  void withoutAVipAgentsRegisterAtTheFirstProxysHostAndMinBackendsIsOne() {
    ExternalLoadBalancerSpec spec = StatusBuilderTest.spec();
    spec.frontend.virtualIP = null;

    Intent intent = Intent.of(spec);

    assertThat(intent.registrationAddress()).isEqualTo("https://127.0.0.98:6443");
    assertThat(intent.virtualIP()).isFalse();
    assertThat(intent.minBackends()).isEqualTo(1);
  }

  @Test
  void anInvalidSpecIsReadWithoutFailing() {
    ExternalLoadBalancerSpec spec = new ExternalLoadBalancerSpec();
    spec.frontend = new FrontendSpec();
    spec.proxies = new ArrayList<>(Arrays.asList(null, new dev.fulcrum.operator.crd.ProxySpec()));

    Intent intent = Intent.of(spec);

    assertThat(intent.proxies()).isEmpty();
    assertThat(intent.registrationAddress()).isNull();
  }
}
