package dev.fulcrum.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart ships the CRD the operator build generates: helm/fulcrum/crds/ must be a byte-for-byte
 * copy of the top-level crds/ (copy it over after changing the CR classes).
 */
class ChartCrdsTest {
  static final Path ROOT = RenderedChart.repoRoot();

  @Test
  void chartCrdsAreByteForByteTheGeneratedCrds() throws IOException {
    Path generated = ROOT.resolve("crds");
    Path chart = ROOT.resolve("helm/fulcrum/crds");

    assertThat(names(chart)).isEqualTo(names(generated)).isNotEmpty();
    for (String name : names(generated)) {
      assertThat(Files.readAllBytes(chart.resolve(name)))
          .as(
              "helm/fulcrum/crds/%s differs from crds/%s: cp crds/%s helm/fulcrum/crds/",
              name, name, name)
          .isEqualTo(Files.readAllBytes(generated.resolve(name)));
    }
  }

  @Test
  void helmInstallsTheExternalLoadBalancerCrdFromTheChart() {
    String shown = new Helm(RenderedChart.chartDir()).show().crds().call();
    CustomResourceDefinition crd = Serialization.unmarshal(shown, CustomResourceDefinition.class);

    assertThat(crd.getMetadata().getName()).isEqualTo("externalloadbalancers.lb.fulcrum.dev");
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(crd.getSpec().getNames().getShortNames()).contains("elb");
    assertThat(crd.getSpec().getVersions())
        .singleElement()
        .satisfies(v -> assertThat(v.getName()).isEqualTo("v1alpha1"))
        .satisfies(v -> assertThat(v.getSubresources().getStatus()).isNotNull());
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
