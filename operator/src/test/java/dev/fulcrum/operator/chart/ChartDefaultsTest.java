package dev.fulcrum.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The chart with default values: what a plain {@code helm install} puts in the cluster. */
@EnableKubernetesMockClient(crud = true)
class ChartDefaultsTest {
  KubernetesClient client;
  List<HasMetadata> objects;

  @BeforeEach
  void renderAndApply() {
    objects = RenderedChart.parse(client, RenderedChart.template(Map.of()));
    objects.forEach(o -> client.resource(o).create());
  }

  @Test
  void rendersExactlyTheOperatorsObjectsAllInTheReleaseNamespace() {
    assertThat(objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()))
        .containsExactlyInAnyOrder(
            "ServiceAccount/fulcrum",
            "ClusterRole/fulcrum-nodes",
            "ClusterRoleBinding/fulcrum-nodes",
            "Role/fulcrum",
            "RoleBinding/fulcrum",
            "Deployment/fulcrum",
            "PodDisruptionBudget/fulcrum",
            "Service/fulcrum-metrics");
    assertThat(objects)
        .filteredOn(o -> !o.getKind().startsWith("Cluster"))
        .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo("fulcrum-system"));
  }

  @Test
  void deploymentRunsTwoLeaderElectedReplicasUnderTheChartsServiceAccount() {
    Deployment d = stored(Deployment.class, "fulcrum");

    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    // Longer than the stop takes (OperatorStopIT: under 5 s), so a rollout never ends in SIGKILL.
    assertThat(d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
        .isEqualTo(15L);
    assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo(stored(ServiceAccount.class, "fulcrum").getMetadata().getName());
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getImage())
        .isEqualTo(
            "ghcr.io/fulcrum-dev/fulcrum-operator:"
                + System.getProperty("fulcrum.project.version"));
    Map<String, String> env =
        c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    assertThat(env)
        .containsEntry("FULCRUM_LEADER_ELECTION", "true")
        .doesNotContainKey("FULCRUM_NAMESPACE")
        .containsEntry("FULCRUM_NAMESPACES", "fulcrum-system")
        .containsEntry("FULCRUM_LEASE_NAMESPACE", "fulcrum-system")
        .containsEntry("FULCRUM_LEASE_NAME", "fulcrum-operator")
        .containsEntry("FULCRUM_METRICS_PORT", "8080");
  }

  @Test
  void probesHitHealthzAndReadyzOnTheMetricsPort() {
    Container c = container(stored(Deployment.class, "fulcrum"));

    assertThat(c.getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(8080))
        .satisfies(p -> assertThat(p.getName()).isEqualTo("metrics"));
    assertProbe(c.getLivenessProbe(), "/healthz");
    assertProbe(c.getReadinessProbe(), "/readyz");
  }

  @Test
  void everyContainerIsNonRootReadOnlyWithoutCapabilitiesOrPrivilegeEscalation() {
    Deployment d = stored(Deployment.class, "fulcrum");
    ChartSecurity.assertHardened(d);
  }

  @Test
  void metricsServiceSelectsTheOperatorPodsAndNoServiceMonitorByDefault() {
    Deployment d = stored(Deployment.class, "fulcrum");
    Service s = stored(Service.class, "fulcrum-metrics");

    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(s.getSpec().getSelector());
    assertThat(s.getSpec().getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getPort()).isEqualTo(8080))
        .satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("metrics"));
    assertThat(objects).noneMatch(o -> o.getKind().equals("ServiceMonitor"));
  }

  @Test
  void disruptionBudgetKeepsOneReplicaOfThisDeployment() {
    PodDisruptionBudget pdb = stored(PodDisruptionBudget.class, "fulcrum");
    Deployment d = stored(Deployment.class, "fulcrum");

    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
  }

  private <T extends HasMetadata> T stored(Class<T> type, String name) {
    T found = client.resources(type).inNamespace(RenderedChart.NAMESPACE).withName(name).get();
    assertThat(found).as("%s/%s in the API server", type.getSimpleName(), name).isNotNull();
    return found;
  }

  private static Container container(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static void assertProbe(Probe probe, String path) {
    assertThat(probe).as("probe for %s", path).isNotNull();
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("metrics");
  }
}
