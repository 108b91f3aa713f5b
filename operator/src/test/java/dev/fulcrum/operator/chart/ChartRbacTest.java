package dev.fulcrum.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's grants, verb by verb: any widening (a new verb, resource or group, a dropped
 * resourceNames restriction) fails here and has to be argued for in review.
 */
@EnableKubernetesMockClient(crud = true)
class ChartRbacTest {
  KubernetesClient client;

  @Test
  void clusterWideTheOperatorOnlyReadsNodes() {
    List<HasMetadata> objects = applied(Map.of());

    assertThat(grants(RenderedChart.only(objects, ClusterRole.class).getRules()))
        .containsExactly("/nodes get", "/nodes list", "/nodes watch");
  }

  @Test
  void inTheReleaseNamespaceItGetsExactlyItsResourceTheCredentialsSecretEventsAndLeases() {
    List<HasMetadata> objects = applied(Map.of());
    Role role = RenderedChart.only(objects, Role.class);

    assertThat(role.getMetadata().getNamespace()).isEqualTo(RenderedChart.NAMESPACE);
    assertThat(grants(role.getRules()))
        .containsExactlyInAnyOrder(
            "lb.fulcrum.dev/externalloadbalancers get",
            "lb.fulcrum.dev/externalloadbalancers list",
            "lb.fulcrum.dev/externalloadbalancers watch",
            "lb.fulcrum.dev/externalloadbalancers patch",
            "lb.fulcrum.dev/externalloadbalancers update",
            "lb.fulcrum.dev/externalloadbalancers/status get",
            "lb.fulcrum.dev/externalloadbalancers/status patch",
            "lb.fulcrum.dev/externalloadbalancers/status update",
            "lb.fulcrum.dev/externalloadbalancers/finalizers update",
            "/secrets get [fulcrum-proxy-credentials]",
            "/secrets list [fulcrum-proxy-credentials]",
            "/secrets watch [fulcrum-proxy-credentials]",
            "/events create",
            "/events patch",
            "coordination.k8s.io/leases create",
            "coordination.k8s.io/leases get [fulcrum-operator]",
            "coordination.k8s.io/leases update [fulcrum-operator]");
  }

  @Test
  void secretsAreLimitedToTheConfiguredNamesWhichTheOperatorWatchesByNameOrOpenWhenNone(
      @TempDir Path tmp) {
    List<HasMetadata> namedObjects =
        parse(
            RenderedChart.templateWithValues(
                tmp, "rbac:\n  credentialsSecretNames: [lb-a-creds, lb-b-creds]\n"));
    Role named = RenderedChart.only(namedObjects, Role.class);
    assertThat(grants(named.getRules()))
        .filteredOn(g -> g.startsWith("/secrets"))
        .containsExactlyInAnyOrder(
            "/secrets get [lb-a-creds, lb-b-creds]",
            "/secrets list [lb-a-creds, lb-b-creds]",
            "/secrets watch [lb-a-creds, lb-b-creds]");
    assertThat(env(namedObjects))
        .containsEntry("FULCRUM_CREDENTIALS_SECRETS", "lb-a-creds,lb-b-creds");

    Role open =
        RenderedChart.only(
            parse(RenderedChart.templateWithValues(tmp, "rbac:\n  credentialsSecretNames: []\n")),
            Role.class);
    assertThat(grants(open.getRules()))
        .filteredOn(g -> g.startsWith("/secrets"))
        .containsExactlyInAnyOrder("/secrets get", "/secrets list", "/secrets watch");
    assertThat(
            env(
                parse(
                    RenderedChart.templateWithValues(
                        tmp, "rbac:\n  credentialsSecretNames: []\n"))))
        .doesNotContainKey("FULCRUM_CREDENTIALS_SECRETS");
  }

  private static Map<String, String> env(List<HasMetadata> objects) {
    return RenderedChart.only(objects, Deployment.class)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getEnv()
        .stream()
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  @Test
  void theOperatorIsToldToWatchAndLeaseExactlyWhereItsRoleAllows(@TempDir Path tmp) {
    List<HasMetadata> objects =
        parse(
            RenderedChart.templateWithValues(
                tmp, "leaderElection:\n  enabled: true\n  leaseName: edge-lbs\n"));
    Role role = RenderedChart.only(objects, Role.class);
    Map<String, String> env = env(objects);

    assertThat(env)
        .containsEntry("FULCRUM_NAMESPACES", role.getMetadata().getNamespace())
        .containsEntry("FULCRUM_LEASE_NAMESPACE", role.getMetadata().getNamespace())
        .containsEntry("FULCRUM_LEASE_NAME", "edge-lbs");
    assertThat(grants(role.getRules()))
        .filteredOn(g -> g.startsWith("coordination.k8s.io/"))
        .containsExactlyInAnyOrder(
            "coordination.k8s.io/leases create",
            "coordination.k8s.io/leases get [edge-lbs]",
            "coordination.k8s.io/leases update [edge-lbs]");
  }

  @Test
  void bothBindingsGrantToTheChartsServiceAccountOnly() {
    List<HasMetadata> objects = applied(Map.of());
    ServiceAccount sa = RenderedChart.only(objects, ServiceAccount.class);
    Subject expected =
        new Subject(null, "ServiceAccount", sa.getMetadata().getName(), "fulcrum-system");

    ClusterRoleBinding crb = RenderedChart.only(objects, ClusterRoleBinding.class);
    assertThat(crb.getSubjects()).containsExactly(expected);
    assertThat(crb.getRoleRef().getName())
        .isEqualTo(RenderedChart.only(objects, ClusterRole.class).getMetadata().getName());
    RoleBinding rb = RenderedChart.only(objects, RoleBinding.class);
    assertThat(rb.getSubjects()).containsExactly(expected);
    assertThat(rb.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(rb.getRoleRef().getName())
        .isEqualTo(RenderedChart.only(objects, Role.class).getMetadata().getName());
  }

  private List<HasMetadata> parse(String yaml) {
    return RenderedChart.parse(client, yaml);
  }

  @Test
  void anExistingServiceAccountGetsTheSameGrantsAndNoneIsCreated(@TempDir Path tmp) {
    List<HasMetadata> objects =
        parse(
            RenderedChart.templateWithValues(
                tmp, "serviceAccount:\n  create: false\n  name: platform-operators\n"));
    Subject expected = new Subject(null, "ServiceAccount", "platform-operators", "fulcrum-system");

    assertThat(RenderedChart.all(objects, ServiceAccount.class)).isEmpty();
    assertThat(RenderedChart.only(objects, ClusterRoleBinding.class).getSubjects())
        .containsExactly(expected);
    assertThat(RenderedChart.only(objects, RoleBinding.class).getSubjects())
        .containsExactly(expected);
    assertThat(
            RenderedChart.only(objects, Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getServiceAccountName())
        .isEqualTo("platform-operators");
  }

  /** Renders, applies to the mock API server, and returns the objects as the server stored them. */
  private List<HasMetadata> applied(Map<String, Object> sets) {
    return RenderedChart.parse(client, RenderedChart.template(sets)).stream()
        .map(o -> (HasMetadata) client.resource(o).create())
        .toList();
  }

  /** One "group/resource verb [names]" line per granted combination. */
  private static List<String> grants(List<PolicyRule> rules) {
    Set<String> seen = new HashSet<>();
    List<String> out = new ArrayList<>();
    for (PolicyRule r : rules) {
      assertThat(r.getNonResourceURLs()).isNullOrEmpty();
      for (String group : r.getApiGroups()) {
        for (String resource : r.getResources()) {
          for (String verb : r.getVerbs()) {
            String names =
                r.getResourceNames() == null || r.getResourceNames().isEmpty()
                    ? ""
                    : " " + r.getResourceNames();
            String grant = group + "/" + resource + " " + verb + names;
            assertThat(seen.add(grant)).as("granted twice: %s", grant).isTrue();
            out.add(grant);
          }
        }
      }
    }
    return out;
  }
}
