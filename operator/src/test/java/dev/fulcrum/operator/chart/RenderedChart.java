package dev.fulcrum.operator.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Renders helm/fulcrum with the Helm library bundled by helm-java and parses it with Fabric8. */
final class RenderedChart {
  static final String RELEASE = "fulcrum";
  static final String NAMESPACE = "fulcrum-system";

  private RenderedChart() {}

  /** The repository root, found from the module directory surefire runs in. */
  static Path repoRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("helm/fulcrum/Chart.yaml"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "no helm/fulcrum/Chart.yaml above " + Path.of("").toAbsolutePath());
  }

  static Path chartDir() {
    return repoRoot().resolve("helm/fulcrum");
  }

  static String template(UnaryOperator<TemplateCommand> options) {
    TemplateCommand command =
        new Helm(chartDir()).template().withName(RELEASE).withNamespace(NAMESPACE);
    return options.apply(command).call();
  }

  static String template(Map<String, Object> sets) {
    return template(
        command -> {
          sets.forEach(command::set);
          return command;
        });
  }

  /** Renders with a user's values file, as {@code helm template -f values.yaml} would. */
  static String templateWithValues(Path dir, String valuesYaml) {
    try {
      Path file = Files.writeString(Files.createTempFile(dir, "values", ".yaml"), valuesYaml);
      return template(command -> command.withValuesFile(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<HasMetadata> parse(KubernetesClient client, String yaml) {
    return client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
  }

  static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
    List<T> found = all(objects, type);
    if (found.size() != 1) {
      throw new AssertionError(
          "expected one " + type.getSimpleName() + ", rendered " + found.size());
    }
    return found.get(0);
  }

  static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
