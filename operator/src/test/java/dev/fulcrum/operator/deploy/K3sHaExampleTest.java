package dev.fulcrum.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** deploy/examples/k3s-ha.yaml: the seed's topology must be a resource the CRD accepts as is. */
@EnableKubernetesMockClient(crud = true)
class K3sHaExampleTest {
  static final ObjectMapper YAML = new YAMLMapper();
  static final Path ROOT = CredentialsKit.repoRoot();
  static final Path EXAMPLE = ROOT.resolve("deploy/examples/k3s-ha.yaml");
  static final Path CRD =
      ROOT.resolve("helm/fulcrum/crds/externalloadbalancers.lb.fulcrum.dev-v1.yml");

  KubernetesClient client;
  JsonNode crd;
  JsonNode example;

  @BeforeEach
  void read() throws IOException {
    crd = YAML.readTree(CRD.toFile());
    example = YAML.readTree(EXAMPLE.toFile());
  }

  @Test
  void exampleUsesOnlyFieldsAndValuesTheCrdAccepts() {
    JsonNode version = crd.at("/spec/versions/0");

    assertThat(example.path("apiVersion").asText())
        .isEqualTo(crd.at("/spec/group").asText() + "/" + version.path("name").asText());
    assertThat(example.path("kind").asText()).isEqualTo(crd.at("/spec/names/kind").asText());
    assertThat(CrdSchemaCheck.problems(specSchema(), example.path("spec"))).isEmpty();
  }

  @Test
  void theSchemaCheckCatchesTheMistakesItIsThereFor() {
    ObjectNode broken = example.path("spec").deepCopy();
    ((ObjectNode) broken.path("frontend")).put("virtualRouterId", 300).put("vip", "10.10.10.100");
    ((ObjectNode) broken.path("frontend")).remove("port");
    ((ObjectNode) broken.path("healthCheck")).put("mode", "SSL");
    ((ObjectNode) broken.path("proxies").get(1)).put("endpoint", "http://10.10.10.99:9443");

    assertThat(CrdSchemaCheck.problems(specSchema(), broken))
        .containsExactlyInAnyOrder(
            "frontend.port: is required",
            "frontend.virtualRouterId: must be <= 255.0",
            "frontend.vip: is not a field of the CRD (the API server would drop it)",
            "healthCheck.mode: must be one of [HTTPS, TCP, TLS], got \"SSL\"",
            "proxies[1].endpoint: must match ^https://.+, got \"http://10.10.10.99:9443\"");
  }

  @Test
  void apiServerStoresTheExampleOnceTheChartsCrdIsInstalled() throws IOException {
    client
        .resource(
            client
                .getKubernetesSerialization()
                .unmarshal(Files.readString(CRD), CustomResourceDefinition.class))
        .create();
    List<HasMetadata> items;
    try (InputStream in = Files.newInputStream(EXAMPLE)) {
      items = client.load(in).items();
    }
    items.forEach(i -> client.resource(i).create());

    GenericKubernetesResource stored =
        client
            .genericKubernetesResources(
                new ResourceDefinitionContext.Builder()
                    .withGroup("lb.fulcrum.dev")
                    .withVersion("v1alpha1")
                    .withPlural("externalloadbalancers")
                    .withNamespaced(true)
                    .build())
            .inNamespace("fulcrum-system")
            .withName("k3s-api")
            .get();
    assertThat(stored).isNotNull();
    assertThat(stored.<List<Map<String, Object>>>get("spec", "proxies"))
        .extracting(p -> p.get("name") + " " + p.get("endpoint") + " " + p.get("priority"))
        .containsExactly("lb-1 https://10.10.10.98:9443 200", "lb-2 https://10.10.10.99:9443 100");
  }

  @Test
  void exampleFitsTheRestOfTheKit() throws IOException {
    String credentialsSecret = example.at("/spec/credentialsSecretRef/name").asText();
    JsonNode chartValues = YAML.readTree(ROOT.resolve("helm/fulcrum/values.yaml").toFile());
    String script = Files.readString(ROOT.resolve("deploy/make-credentials.sh"));
    String proxyYaml = Files.readString(ROOT.resolve("deploy/proxy.yaml"));
    String adminPort = YAML.readTree(proxyYaml).at("/admin/listen").asText().replaceAll(".*:", "");

    assertThat(chartValues.at("/rbac/credentialsSecretNames/0").asText())
        .isEqualTo(credentialsSecret);
    assertThat(script).contains("create secret generic " + credentialsSecret + " ");
    assertThat(script).contains("namespace=" + example.at("/metadata/namespace").asText());
    for (JsonNode proxy : example.at("/spec/proxies")) {
      assertThat(proxy.path("endpoint").asText()).endsWith(":" + adminPort);
    }
  }

  private JsonNode specSchema() {
    return crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
  }
}
