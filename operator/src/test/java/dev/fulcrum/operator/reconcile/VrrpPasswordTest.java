package dev.fulcrum.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import dev.fulcrum.operator.status.Conditions;
import dev.fulcrum.operator.testing.FakeAdminApi;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * spec.frontend.vrrpPasswordKey: the VRRP password comes from the credentials Secret, reaches every
 * proxy, follows a rotation, never shows in status, and a missing or unusable one is named while
 * the proxies keep what they had.
 */
class VrrpPasswordTest {
  private static final String ID = Resources.NAMESPACE + ".k3s-api";
  private static final String KEY = "vrrp-password";
  private static final List<Node> NODES = SyncFixtures.TWO_SERVERS;

  private final Pki.Issued ca = TestPki.authority("test-ca");
  private FakeAdminApi lb1;
  private FakeAdminApi lb2;
  private ExternalLoadBalancer elb;
  private LoadBalancerSync operator;

  @BeforeEach
  void start() throws Exception {
    lb1 = new FakeAdminApi("lb-1", "127.0.0.1", ca, SyncFixtures.TOKEN);
    lb2 = new FakeAdminApi("lb-2", "127.0.0.2", ca, SyncFixtures.TOKEN);
    elb = SyncFixtures.onTwoProxies("192.0.2.100/24", lb1, lb2);
    elb.getSpec().frontend.vrrpPasswordKey = KEY;
    operator = SyncFixtures.operator(() -> 1, Duration.ZERO);
  }

  @AfterEach
  void stop() {
    lb1.close();
    lb2.close();
  }

  @Test
  void everyProxyGetsThePasswordARotationIsPushedAndStatusNeverShowsIt() {
    ExternalLoadBalancerStatus s = sync("k3s-vrrp\n"); // as written by kubectl --from-file

    assertThat(ready(s)).isEqualTo("True/Synced");
    for (FakeAdminApi lb : List.of(lb1, lb2)) {
      assertThat(lb.applied(ID).frontend().vrrpPassword()).isEqualTo("k3s-vrrp");
    }
    assertThat(Serialization.asJson(s)).doesNotContain("k3s-vrrp");
    assertThat(lb1.applied(ID).toString()).doesNotContain("k3s-vrrp");
    String before = s.desiredVersion;

    s = sync("rotated1");

    assertThat(s.desiredVersion).as("a new password is a new version").isNotEqualTo(before);
    assertThat(lb2.applied(ID).frontend().vrrpPassword()).isEqualTo("rotated1");
    assertThat(ready(s)).isEqualTo("True/Synced");
  }

  @Test
  void aMissingKeyIsNamedInStatusAndTheProxiesKeepWhatTheyHad() {
    String served = sync("k3s-vrrp").desiredVersion;
    int puts = lb1.puts();

    ExternalLoadBalancerStatus s = sync(null);

    var degraded = Conditions.find(s.conditions, Conditions.DEGRADED);
    assertThat(degraded.getReason()).isEqualTo("CredentialsMissing");
    assertThat(degraded.getMessage())
        .isEqualTo(
            "Secret "
                + Resources.SECRET
                + " (spec.credentialsSecretRef), key \"vrrp-password\""
                + " (spec.frontend.vrrpPasswordKey): no such key");
    assertThat(lb1.puts()).as("nothing is pushed").isEqualTo(puts);
    assertThat(lb1.applied(ID).version()).isEqualTo(served);
  }

  @Test
  void aPasswordKeepalivedWouldCutOrMisreadIsNamedWithoutPrintingIt() {
    for (String bad : List.of("nine-char", "has space", "pa$$word", "")) {
      ExternalLoadBalancerStatus s = sync(bad);

      String message = Conditions.find(s.conditions, Conditions.DEGRADED).getMessage();
      assertThat(message)
          .as(bad)
          .startsWith(
              "Secret "
                  + Resources.SECRET
                  + " (spec.credentialsSecretRef), key \"vrrp-password\""
                  + " (spec.frontend.vrrpPasswordKey): must be 1 to 8 characters of")
          .endsWith("(value not shown)");
      if (!bad.isEmpty()) {
        assertThat(message).doesNotContain(bad);
      }
    }
    assertThat(lb1.puts()).isZero();
  }

  @Test
  void anIpv6VipCannotHaveAPassword() {
    elb.getSpec().frontend.virtualIP = "fd00::100/64";

    ExternalLoadBalancerStatus s = sync("k3s-vrrp");

    assertThat(ready(s)).isEqualTo("False/InvalidSpec");
    assertThat(Conditions.find(s.conditions, Conditions.READY).getMessage())
        .contains("spec.frontend.vrrpPasswordKey: needs an IPv4 virtualIP");
    assertThat(lb1.puts()).isZero();
  }

  /** Syncs with the credentials Secret holding {@code password} under KEY (none when null). */
  private ExternalLoadBalancerStatus sync(String password) {
    Secret credentials = Resources.credentials(SyncFixtures.TOKEN, ca.certificatePem());
    if (password != null) {
      credentials = new SecretBuilder(credentials).addToStringData(KEY, password).build();
    }
    ExternalLoadBalancerStatus s = operator.sync(elb, NODES, credentials, name -> null).status();
    elb.setStatus(s);
    return s;
  }

  private static String ready(ExternalLoadBalancerStatus s) {
    var c = Conditions.find(s.conditions, Conditions.READY);
    return c.getStatus() + "/" + c.getReason();
  }
}
