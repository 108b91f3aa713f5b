package dev.fulcrum.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart's alerts, dashboard and helm-test hook, as rendered. */
@EnableKubernetesMockClient(crud = true)
class ChartMonitoringTest {
  KubernetesClient client;

  @Test
  void alertsAndDashboardAreOffByDefault() {
    List<HasMetadata> objects = RenderedChart.parse(client, RenderedChart.template(Map.of()));
    assertThat(objects).noneMatch(o -> "PrometheusRule".equals(o.getKind()));
    assertThat(objects).noneMatch(o -> o.getMetadata().getName().endsWith("-dashboard"));
  }

  @Test
  void thePrometheusRuleCarriesExactlyTheCheckedRuleFile() throws Exception {
    List<HasMetadata> objects =
        RenderedChart.parse(
            client, RenderedChart.template(Map.of("metrics.prometheusRule.enabled", "true")));
    GenericKubernetesResource rule =
        objects.stream()
            .filter(o -> "PrometheusRule".equals(o.getKind()))
            .map(GenericKubernetesResource.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(rule.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    JsonNode file = new YAMLMapper().readTree(files().resolve("fulcrum-alerts.yaml").toFile());
    JsonNode rendered = new ObjectMapper().valueToTree(rule.getAdditionalProperties().get("spec"));
    assertThat(rendered).isEqualTo(file);
    assertThat(rendered.path("groups").get(0).path("rules"))
        .allSatisfy(
            r ->
                assertThat(r.path("annotations").path("runbook_url").asText())
                    .endsWith("README.md#troubleshooting"));
  }

  @Test
  void theDashboardConfigMapCarriesTheSidecarLabelAndTheDashboard() throws Exception {
    List<HasMetadata> objects =
        RenderedChart.parse(
            client, RenderedChart.template(Map.of("metrics.dashboard.enabled", "true")));
    ConfigMap cm =
        RenderedChart.all(objects, ConfigMap.class).stream()
            .filter(c -> c.getMetadata().getName().equals("fulcrum-dashboard"))
            .findFirst()
            .orElseThrow();
    assertThat(cm.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    JsonNode dashboard = new ObjectMapper().readTree(cm.getData().get("fulcrum.json"));
    assertThat(dashboard)
        .isEqualTo(new ObjectMapper().readTree(files().resolve("fulcrum-dashboard.json").toFile()));
    assertThat(dashboard.path("title").asText()).isEqualTo("Fulcrum");
  }

  @Test
  void theHelmTestHookRunsTheInstallCheckInTheOperatorsImageHardened(@TempDir Path tmp)
      throws Exception {
    Path hook = RenderedChart.chartDir().resolve("templates/tests/install-check.yaml");
    assertThat(Files.readString(hook)).contains("helm.sh/hook: test");
    // helm-java's template leaves hooks out: render a copy of the chart whose hook is a plain
    // template, with the same values and helpers.
    Path chart = tmp.resolve("fulcrum");
    try (var files = Files.walk(RenderedChart.chartDir())) {
      for (Path f : files.toList()) {
        Path to = chart.resolve(RenderedChart.chartDir().relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          Files.writeString(
              to, Files.readString(f).replace("helm.sh/hook: test", "fulcrum.dev/was-hook: test"));
        }
      }
    }
    String yaml =
        new Helm(chart)
            .template()
            .withName(RenderedChart.RELEASE)
            .withNamespace(RenderedChart.NAMESPACE)
            .call();
    Pod pod = RenderedChart.all(RenderedChart.parse(client, yaml), Pod.class).get(0);
    ChartSecurity.assertHardened(pod.getSpec());
    List<String> command = pod.getSpec().getContainers().get(0).getCommand();
    // The class the hook names ships in the operator jar, with a main method.
    assertThat(Class.forName(command.get(3)).getMethod("main", String[].class)).isNotNull();
    assertThat(command.get(4)).isEqualTo("http://fulcrum-metrics.fulcrum-system.svc:8080/readyz");
    assertThat(pod.getSpec().getContainers().get(0).getImage())
        .isEqualTo(
            "ghcr.io/fulcrum-dev/fulcrum-operator:"
                + System.getProperty("fulcrum.project.version"));
  }

  private static Path files() {
    return RenderedChart.chartDir().resolve("files");
  }
}
