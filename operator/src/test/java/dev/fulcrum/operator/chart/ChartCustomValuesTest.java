package dev.fulcrum.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart with a user's values file: replicas, image, resources and a ServiceMonitor. */
@EnableKubernetesMockClient(crud = true)
class ChartCustomValuesTest {
  static final String VALUES =
      """
      replicaCount: 3
      image:
        repository: registry.example.com/platform/fulcrum-operator
        tag: 0.1.0-rc1
        pullPolicy: Always
      resources:
        requests: {cpu: 200m, memory: 256Mi}
        limits: {cpu: "2", memory: 512Mi}
      metrics:
        port: 9095
        service: {port: 9095}
        serviceMonitor:
          enabled: true
          interval: 15s
          labels: {release: kube-prometheus}
      """;

  KubernetesClient client;
  List<HasMetadata> objects;

  @BeforeEach
  void renderAndApply(@TempDir Path tmp) {
    // The Prometheus Operator's CRD, as a cluster that enables the ServiceMonitor would have it.
    client.resource(serviceMonitorCrd()).create();
    objects = RenderedChart.parse(client, RenderedChart.templateWithValues(tmp, VALUES));
    objects.forEach(o -> client.resource(o).create());
  }

  @Test
  void deploymentTakesReplicasImageAndResourcesFromValues() {
    Deployment d =
        client.apps().deployments().inNamespace(RenderedChart.NAMESPACE).withName("fulcrum").get();
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);

    assertThat(d.getSpec().getReplicas()).isEqualTo(3);
    assertThat(c.getImage()).isEqualTo("registry.example.com/platform/fulcrum-operator:0.1.0-rc1");
    assertThat(c.getImagePullPolicy()).isEqualTo("Always");
    assertThat(c.getResources().getRequests())
        .containsEntry("cpu", new Quantity("200m"))
        .containsEntry("memory", new Quantity("256Mi"));
    assertThat(c.getResources().getLimits())
        .containsEntry("cpu", new Quantity("2"))
        .containsEntry("memory", new Quantity("512Mi"));
    assertThat(c.getPorts().get(0).getContainerPort()).isEqualTo(9095);
    assertThat(c.getEnv())
        .anySatisfy(
            e ->
                assertThat(e.getName() + "=" + e.getValue())
                    .isEqualTo("FULCRUM_METRICS_PORT=9095"));
    ChartSecurity.assertHardened(d);
  }

  @Test
  void serviceMonitorScrapesTheMetricsServicePortInTheReleaseNamespace() {
    GenericKubernetesResource sm =
        client
            .genericKubernetesResources(serviceMonitorContext())
            .inNamespace(RenderedChart.NAMESPACE)
            .withName("fulcrum")
            .get();
    Service svc =
        client.services().inNamespace(RenderedChart.NAMESPACE).withName("fulcrum-metrics").get();

    assertThat(sm).as("ServiceMonitor stored by the API server").isNotNull();
    assertThat(sm.getMetadata().getLabels()).containsEntry("release", "kube-prometheus");
    assertThat(svc.getMetadata().getLabels())
        .containsAllEntriesOf(sm.<Map<String, String>>get("spec", "selector", "matchLabels"));
    assertThat(sm.<List<String>>get("spec", "namespaceSelector", "matchNames"))
        .containsExactly(RenderedChart.NAMESPACE);
    assertThat(sm.<List<Map<String, Object>>>get("spec", "endpoints"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e)
                    .containsEntry("port", svc.getSpec().getPorts().get(0).getName())
                    .containsEntry("path", "/metrics")
                    .containsEntry("interval", "15s"));
  }

  private static ResourceDefinitionContext serviceMonitorContext() {
    return new ResourceDefinitionContext.Builder()
        .withGroup("monitoring.coreos.com")
        .withVersion("v1")
        .withKind("ServiceMonitor")
        .withPlural("servicemonitors")
        .withNamespaced(true)
        .build();
  }

  private static CustomResourceDefinition serviceMonitorCrd() {
    return new CustomResourceDefinitionBuilder()
        .withNewMetadata()
        .withName("servicemonitors.monitoring.coreos.com")
        .endMetadata()
        .withNewSpec()
        .withGroup("monitoring.coreos.com")
        .withScope("Namespaced")
        .withNewNames()
        .withKind("ServiceMonitor")
        .withPlural("servicemonitors")
        .withSingular("servicemonitor")
        .endNames()
        .addNewVersion()
        .withName("v1")
        .withServed(true)
        .withStorage(true)
        .withNewSchema()
        .withNewOpenAPIV3Schema()
        .withType("object")
        .withXKubernetesPreserveUnknownFields(true)
        .endOpenAPIV3Schema()
        .endSchema()
        .endVersion()
        .endSpec()
        .build();
  }
}
