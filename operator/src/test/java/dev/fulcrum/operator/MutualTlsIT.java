package dev.fulcrum.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.push.EpochSource;
import dev.fulcrum.operator.push.ProxyClient;
import dev.fulcrum.operator.reconcile.LoadBalancerSync;
import dev.fulcrum.operator.status.Conditions;
import dev.fulcrum.operator.telemetry.OperatorMetrics;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.RealProxy;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.proxy.testing.Ports;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import io.fabric8.kubernetes.api.model.Secret;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A proxy whose admin API requires a client certificate gets one from the Secret's tls.crt/tls.key.
 */
class MutualTlsIT {
  @TempDir Path dir;

  @Test
  void clientCertificateFromTheSecretOpensAnAdminApiThatRequiresOne() throws Exception {
    Pki.Issued ca = TestPki.authority("admin-ca");
    Pki.Issued clientCa = TestPki.authority("operator-ca");
    Pki.Issued operatorCert =
        TestPki.issue(clientCa, "fulcrum-operator", List.of("fulcrum-operator"));
    try (RealProxy lb1 = new RealProxy("lb-1", "127.0.0.1", ca, "t", dir, clientCa)) {
      int frontendPort = Ports.free("127.0.0.1");
      ExternalLoadBalancer elb =
          Resources.elb(
              "k3s-api", frontendPort, null, List.of(new ProxySpec("lb-1", lb1.endpoint(), 1)));
      elb.getMetadata().setGeneration(1L);
      LoadBalancerSync sync =
          new LoadBalancerSync(
              new ProxyClient(Duration.ofSeconds(2), Duration.ofSeconds(5)),
              new OperatorMetrics(new SimpleMeterRegistry()),
              EpochSource.none(),
              Duration.ofSeconds(1),
              Duration.ofSeconds(10),
              Clock.systemUTC());
      var nodes = List.of(Nodes.server("server-1", "127.0.0.11").build());

      Secret tokenOnly = Resources.credentials("t", ca.certificatePem());
      var refused = sync.sync(elb, nodes, tokenOnly).status();
      assertThat(Conditions.find(refused.conditions, "Ready").getReason())
          .isEqualTo("ProxyUnreachable");

      Secret withCert = Resources.credentials("t", ca.certificatePem());
      withCert.getStringData().put("tls.crt", operatorCert.certificatePem());
      withCert.getStringData().put("tls.key", operatorCert.keyPem());
      var synced = sync.sync(elb, nodes, withCert).status();
      var ready = Conditions.find(synced.conditions, "Ready");
      assertThat(ready.getReason()).as(ready.getMessage()).isEqualTo("Synced");
      assertThat(lb1.served(Resources.NAMESPACE + ".k3s-api")).containsExactly("server-1");
    }
  }
}
