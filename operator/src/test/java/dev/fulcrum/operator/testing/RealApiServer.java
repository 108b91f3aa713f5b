package dev.fulcrum.operator.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.util.UUID;

/**
 * The real API server named by {@code FULCRUM_IT_KUBECONFIG}, and a fresh namespace on it for one
 * test class; it deletes what it made, since a cluster may lack namespace-deletion cleanup.
 */
public final class RealApiServer implements AutoCloseable {
  public static final String ENV = "FULCRUM_IT_KUBECONFIG";

  /** Why a real-API-server test class did not run (JUnit's disabledReason, in the report). */
  public static final String SKIPPED =
      ENV
          + " is not set: the real-API-server tier is skipped. Point it at the kubeconfig of a"
          + " throwaway cluster, e.g. FULCRUM_IT_KUBECONFIG=$(../shared/realapi/start.sh DIR)";

  private final String kubeconfig;
  private final KubernetesClient client;
  private final String namespace;

  private RealApiServer(String kubeconfig, String namespace) {
    this.kubeconfig = kubeconfig;
    this.namespace = namespace;
    this.client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(new File(kubeconfig)))
            .build();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
  }

  /**
   * Connects and makes a namespace {@code prefix-<random>}; skips the calling tests, saying why,
   * when the variable is unset.
   */
  public static RealApiServer connect(String prefix) {
    String kubeconfig = System.getenv(ENV);
    assumeTrue(kubeconfig != null && !kubeconfig.isBlank(), SKIPPED);
    return new RealApiServer(
        kubeconfig, prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
  }

  public KubernetesClient client() {
    return client;
  }

  public String namespace() {
    return namespace;
  }

  public Kubectl kubectl() {
    return new Kubectl(kubeconfig, namespace);
  }

  @Override
  public void close() {
    client.secrets().inNamespace(namespace).delete();
    client.leases().inNamespace(namespace).delete();
    client.v1().events().inNamespace(namespace).delete();
    client.namespaces().withName(namespace).delete();
    client.close();
  }
}
