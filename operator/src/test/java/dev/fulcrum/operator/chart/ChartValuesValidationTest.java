package dev.fulcrum.operator.chart;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad values stop {@code helm template/install} with a message naming the value to fix. */
class ChartValuesValidationTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "replicaCount: 0                                   | replicaCount",
        "replicaCount: two                                 | replicaCount",
        "replicas: 3                                       | replicas",
        "image: {repository: ''}                           | image.repository",
        "image: {repository: x, pullPolicy: Sometimes}     | image.pullPolicy",
        "metrics: {port: 70000, service: {port: 8080}, serviceMonitor: {enabled: false}} | metrics.port",
        "metrics: {port: 8080, service: {port: 8080}, serviceMonitor: {enabled: yes-please}} | metrics.serviceMonitor.enabled",
        "resources: {limits: {memory: lots}}               | resources.limits.memory",
        "resources: {limts: {memory: 1Gi}}                 | limts",
        "rbac: {credentialsSecretNames: [Not_A_Name]}      | rbac.credentialsSecretNames",
        "leaderElection: {enabled: false}                  | leaderElection.enabled",
        "podDisruptionBudget: {enabled: true, minAvailable: 2} | podDisruptionBudget.minAvailable",
        "serviceAccount: {create: false}                   | serviceAccount.name",
      })
  void badValuesAreRejectedNamingTheField(String values, String field) {
    assertThatThrownBy(() -> RenderedChart.templateWithValues(tmp, values + "\n"))
        .hasMessageContaining(field);
  }
}
