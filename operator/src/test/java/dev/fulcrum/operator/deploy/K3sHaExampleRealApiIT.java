package dev.fulcrum.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The chart's CRD and deploy/examples/k3s-ha.yaml on a real API server (FULCRUM_IT_KUBECONFIG):
 * structural pruning, defaulting and validation that the mock server does not do.
 */
@EnabledIfEnvironmentVariable(named = "FULCRUM_IT_KUBECONFIG", matches = ".+")
class K3sHaExampleRealApiIT {
  static final ObjectMapper YAML = new YAMLMapper();
  static final Path ROOT = CredentialsKit.repoRoot();
  static final ResourceDefinitionContext ELB =
      new ResourceDefinitionContext.Builder()
          .withGroup("lb.fulcrum.dev")
          .withVersion("v1alpha1")
          .withKind("ExternalLoadBalancer")
          .withPlural("externalloadbalancers")
          .withNamespaced(true)
          .build();

  static KubernetesClient client;
  // Its own namespace, so runs against a shared API server do not meet.
  static final String NAMESPACE = "fulcrum-example-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void installChartCrd() throws Exception {
    String kubeconfig = Files.readString(Path.of(System.getenv("FULCRUM_IT_KUBECONFIG")));
    client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
    CustomResourceDefinition crd =
        client
            .getKubernetesSerialization()
            .unmarshal(
                Files.readString(
                    ROOT.resolve("helm/fulcrum/crds/externalloadbalancers.lb.fulcrum.dev-v1.yml")),
                CustomResourceDefinition.class);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
    client.resource(crd).forceConflicts().serverSideApply();
    client
        .resource(crd)
        .waitUntilCondition(
            c ->
                c.getStatus() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            x -> x.getType().equals("Established") && x.getStatus().equals("True")),
            30,
            TimeUnit.SECONDS);
  }

  @AfterAll
  static void close() {
    if (client != null) {
      client.genericKubernetesResources(ELB).inNamespace(NAMESPACE).delete();
      client.namespaces().withName(NAMESPACE).delete();
      client.close();
    }
  }

  @Test
  void apiServerStoresTheExampleSpecExactlyNothingPrunedNothingChanged() throws Exception {
    JsonNode example = YAML.readTree(ROOT.resolve("deploy/examples/k3s-ha.yaml").toFile());

    GenericKubernetesResource stored = apply(example, "k3s-api");

    JsonNode storedSpec =
        new ObjectMapper().valueToTree(stored.getAdditionalProperties().get("spec"));
    assertThat(storedSpec).isEqualTo(example.path("spec"));
  }

  @Test
  void whatTheSchemaCheckRejectsTheApiServerRejectsForTheSameField() throws Exception {
    JsonNode example = YAML.readTree(ROOT.resolve("deploy/examples/k3s-ha.yaml").toFile());
    ObjectNode broken = example.deepCopy();
    ((ObjectNode) broken.path("spec").path("frontend")).put("virtualRouterId", 300);
    JsonNode schema =
        YAML.readTree(ROOT.resolve("crds/externalloadbalancers.lb.fulcrum.dev-v1.yml").toFile())
            .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");

    assertThat(CrdSchemaCheck.problems(schema, broken.path("spec")))
        .containsExactly("frontend.virtualRouterId: must be <= 255.0");
    assertThatThrownBy(() -> apply(broken, "k3s-api-broken"))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.frontend.virtualRouterId");
    assertThat(
            client
                .genericKubernetesResources(ELB)
                .inNamespace(NAMESPACE)
                .withName("k3s-api-broken")
                .get())
        .isNull();
  }

  private GenericKubernetesResource apply(JsonNode resource, String name) throws Exception {
    ObjectNode copy = resource.deepCopy();
    ((ObjectNode) copy.path("metadata")).put("namespace", NAMESPACE).put("name", name);
    GenericKubernetesResource r =
        client
            .getKubernetesSerialization()
            .unmarshal(copy.toString(), GenericKubernetesResource.class);
    client.genericKubernetesResources(ELB).inNamespace(NAMESPACE).resource(r).create();
    return client.genericKubernetesResources(ELB).inNamespace(NAMESPACE).withName(name).get();
  }
}
