package dev.fulcrum.operator.testing;

import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec;
import dev.fulcrum.operator.crd.FrontendSpec;
import dev.fulcrum.operator.crd.ProxySpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The resources an IT creates: the CRD, the credentials Secret, ExternalLoadBalancers. */
public final class Resources {
  public static final String NAMESPACE = "fulcrum-system";
  public static final String SECRET = "fulcrum-proxy-credentials";

  /** The kubernetes.io/tls Secret whose certificate HTTPS health checks present. */
  public static final String CHECK_CLIENT_SECRET = "k3s-check-client";

  private Resources() {}

  /**
   * Registers the generated CRD, as the brief for the mock server requires, before the operator.
   */
  public static void registerCrd(KubernetesClient client) {
    Path crd =
        Path.of(
            System.getProperty("fulcrum.crd.generated", "target/crds"),
            "externalloadbalancers.lb.fulcrum.dev-v1.yml");
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .load(crd.toFile())
        .createOr(r -> r.update());
  }

  public static Secret credentials(String token, String caPem) {
    return credentials(NAMESPACE, token, caPem);
  }

  public static Secret credentials(String namespace, String token, String caPem) {
    return new SecretBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(SECRET).withNamespace(namespace).build())
        .addToStringData("token", token)
        .addToStringData("ca.crt", caPem)
        .build();
  }

  /** Health checks every second, Up or Down at the first result: tests see changes soon. */
  public static dev.fulcrum.operator.crd.HealthCheckSpec checkedEverySecond() {
    var h = new dev.fulcrum.operator.crd.HealthCheckSpec();
    h.intervalSeconds = 1;
    h.downIntervalSeconds = 1;
    h.rise = 1;
    h.fall = 1;
    h.timeoutSeconds = 1;
    return h;
  }

  /** An ExternalLoadBalancer in the shape of DESIGN.md, on the given frontend port. */
  public static ExternalLoadBalancer elb(
      String name, int port, String virtualIp, List<ProxySpec> proxies) {
    return elb(NAMESPACE, name, port, virtualIp, proxies);
  }

  /** As above, in {@code namespace}. */
  public static ExternalLoadBalancer elb(
      String namespace, String name, int port, String virtualIp, List<ProxySpec> proxies) {
    ExternalLoadBalancer elb = new ExternalLoadBalancer();
    elb.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    ExternalLoadBalancerSpec spec = new ExternalLoadBalancerSpec();
    spec.frontend = new FrontendSpec();
    spec.frontend.port = port;
    spec.frontend.virtualIP = virtualIp;
    if (virtualIp != null) {
      spec.frontend.interfaceName = "lo"; // keepalived's side; the operator only passes it on
      spec.frontend.virtualRouterId = 51;
    }
    spec.proxies = new ArrayList<>(proxies);
    spec.credentialsSecretRef = new ExternalLoadBalancerSpec.SecretRef(SECRET);
    elb.setSpec(spec);
    return elb;
  }
}
