package dev.fulcrum.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec.SecretRef;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import dev.fulcrum.operator.crd.HealthCheckSpec;
import dev.fulcrum.operator.status.Conditions;
import dev.fulcrum.operator.testing.FakeAdminApi;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.proxy.api.ClientCertificate;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * spec.healthCheck.clientCertificateSecretRef: the certificate HTTPS checks present comes from a
 * kubernetes.io/tls Secret, reaches every proxy, follows a rotation, and a missing or unusable one
 * is named in status while the proxies keep what they had.
 */
class HealthCheckCertificateTest {
  private static final String ID = Resources.NAMESPACE + ".k3s-api";
  private static final String FIELD = "spec.healthCheck.clientCertificateSecretRef";
  private static final List<Node> NODES = SyncFixtures.TWO_SERVERS;

  private final Pki.Issued ca = TestPki.authority("test-ca");
  private final Pki.Issued checksCa = TestPki.authority("k3s-client-ca");
  private final Map<String, Secret> secrets = new HashMap<>();
  private FakeAdminApi lb1;
  private FakeAdminApi lb2;
  private ExternalLoadBalancer elb;
  private LoadBalancerSync operator;

  @BeforeEach
  void start() throws Exception {
    lb1 = new FakeAdminApi("lb-1", "127.0.0.1", ca, SyncFixtures.TOKEN);
    lb2 = new FakeAdminApi("lb-2", "127.0.0.2", ca, SyncFixtures.TOKEN);
    elb = SyncFixtures.onTwoProxies("127.0.0.100/24", lb1, lb2);
    elb.getSpec().healthCheck = new HealthCheckSpec();
    elb.getSpec().healthCheck.mode = HealthCheckSpec.Mode.HTTPS;
    elb.getSpec().healthCheck.clientCertificateSecretRef = new SecretRef("k3s-check-client");
    operator = SyncFixtures.operator(() -> 1, Duration.ZERO);
  }

  @AfterEach
  void stop() {
    lb1.close();
    lb2.close();
  }

  @Test
  void everyProxyGetsTheSecretsCertificateAndARotationIsPushed() {
    Pki.Issued first = TestPki.issue(checksCa, "fulcrum-checks", List.of());
    secrets.put("k3s-check-client", tls("k3s-check-client", first));

    ExternalLoadBalancerStatus s = sync();

    assertThat(ready(s)).isEqualTo("True/Synced");
    for (FakeAdminApi lb : List.of(lb1, lb2)) {
      ClientCertificate pushed = lb.applied(ID).healthCheck().clientCertificate();
      assertThat(pushed.certificate()).isEqualTo(first.certificatePem());
      assertThat(pushed.privateKey()).isEqualTo(first.keyPem());
    }
    String before = s.desiredVersion;

    Pki.Issued second = TestPki.issue(checksCa, "fulcrum-checks", List.of());
    secrets.put("k3s-check-client", tls("k3s-check-client", second));
    s = sync();

    assertThat(s.desiredVersion).as("a rotated certificate is a new version").isNotEqualTo(before);
    assertThat(lb2.applied(ID).healthCheck().clientCertificate().certificate())
        .isEqualTo(second.certificatePem());
    assertThat(ready(s)).isEqualTo("True/Synced");
  }

  @Test
  void aMissingSecretIsNamedInStatusAndTheProxiesKeepWhatTheyHad() {
    Pki.Issued first = TestPki.issue(checksCa, "fulcrum-checks", List.of());
    secrets.put("k3s-check-client", tls("k3s-check-client", first));
    String served = sync().desiredVersion;
    int puts = lb1.puts();

    secrets.clear();
    ExternalLoadBalancerStatus s = sync();

    var degraded = Conditions.find(s.conditions, Conditions.DEGRADED);
    assertThat(degraded.getReason()).isEqualTo("CredentialsMissing");
    assertThat(degraded.getMessage())
        .isEqualTo(
            "Secret k3s-check-client ("
                + FIELD
                + ") not found in namespace "
                + Resources.NAMESPACE);
    assertThat(lb1.puts()).as("nothing is pushed").isEqualTo(puts);
    assertThat(lb1.applied(ID).version()).isEqualTo(served);
  }

  @Test
  void anUnusableKeyIsNamedWithoutPrintingTheSecret() {
    Pki.Issued cert = TestPki.issue(checksCa, "fulcrum-checks", List.of());
    String garbledKey = "-----BEGIN PRIVATE KEY-----\nnot-base64!\n-----END PRIVATE KEY-----\n";
    secrets.put(
        "k3s-check-client",
        new SecretBuilder()
            .withMetadata(
                new ObjectMetaBuilder()
                    .withName("k3s-check-client")
                    .withNamespace(Resources.NAMESPACE)
                    .build())
            .withType("kubernetes.io/tls")
            .addToStringData("tls.crt", cert.certificatePem())
            .addToStringData("tls.key", garbledKey)
            .build());

    ExternalLoadBalancerStatus s = sync();

    String message = Conditions.find(s.conditions, Conditions.DEGRADED).getMessage();
    assertThat(message)
        .startsWith(
            "Secret k3s-check-client ("
                + FIELD
                + "): tls.crt and tls.key are not a usable certificate and key")
        .doesNotContain("not-base64")
        .doesNotContain("-----BEGIN");
    assertThat(lb1.puts()).isZero();

    secrets.put(
        "k3s-check-client",
        new SecretBuilder(secrets.get("k3s-check-client")).withStringData(Map.of()).build());
    assertThat(Conditions.find(sync().conditions, Conditions.DEGRADED).getMessage())
        .isEqualTo("Secret k3s-check-client (" + FIELD + ") has no key \"tls.crt\"");
  }

  @Test
  void aCertificateForChecksThatAreNotHttpsIsAnInvalidSpec() {
    elb.getSpec().healthCheck.mode = HealthCheckSpec.Mode.TLS;
    secrets.put(
        "k3s-check-client",
        tls("k3s-check-client", TestPki.issue(checksCa, "fulcrum-checks", List.of())));

    ExternalLoadBalancerStatus s = sync();

    assertThat(ready(s)).isEqualTo("False/InvalidSpec");
    assertThat(Conditions.find(s.conditions, Conditions.READY).getMessage())
        .contains(FIELD + ": is presented by HTTPS checks only: set mode: HTTPS");
    assertThat(lb1.puts()).isZero();
  }

  private ExternalLoadBalancerStatus sync() {
    Secret credentials = Resources.credentials(SyncFixtures.TOKEN, ca.certificatePem());
    ExternalLoadBalancerStatus s = operator.sync(elb, NODES, credentials, secrets::get).status();
    elb.setStatus(s);
    return s;
  }

  private static Secret tls(String name, Pki.Issued cert) {
    return new SecretBuilder()
        .withMetadata(
            new ObjectMetaBuilder().withName(name).withNamespace(Resources.NAMESPACE).build())
        .withType("kubernetes.io/tls")
        .addToStringData("tls.crt", cert.certificatePem())
        .addToStringData("tls.key", cert.keyPem())
        .build();
  }

  private static String ready(ExternalLoadBalancerStatus s) {
    var c = Conditions.find(s.conditions, Conditions.READY);
    return c.getStatus() + "/" + c.getReason();
  }
}
