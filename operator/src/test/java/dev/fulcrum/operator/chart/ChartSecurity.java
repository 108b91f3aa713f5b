package dev.fulcrum.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;

/**
 * The pod security the chart promises (restricted Pod Security Standard), checked on a pod spec.
 */
final class ChartSecurity {
  private ChartSecurity() {}

  static void assertHardened(Deployment d) {
    assertHardened(d.getSpec().getTemplate().getSpec());
  }

  static void assertHardened(PodSpec spec) {
    PodSecurityContext pod = spec.getSecurityContext();
    assertThat(pod.getRunAsNonRoot()).isTrue();
    assertThat(pod.getRunAsUser()).isEqualTo(65532L);
    assertThat(pod.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

    List<Container> containers = new ArrayList<>(spec.getContainers());
    List<Container> init = spec.getInitContainers();
    if (init != null) {
      containers.addAll(init);
    }
    assertThat(containers).isNotEmpty();
    for (Container c : containers) {
      SecurityContext sc = c.getSecurityContext();
      assertThat(sc).as("securityContext of %s", c.getName()).isNotNull();
      assertThat(sc.getRunAsNonRoot()).as("%s runAsNonRoot", c.getName()).isTrue();
      assertThat(sc.getRunAsUser()).as("%s runAsUser", c.getName()).isEqualTo(65532L);
      assertThat(sc.getReadOnlyRootFilesystem())
          .as("%s readOnlyRootFilesystem", c.getName())
          .isTrue();
      assertThat(sc.getAllowPrivilegeEscalation())
          .as("%s allowPrivilegeEscalation", c.getName())
          .isFalse();
      assertThat(sc.getPrivileged()).as("%s privileged", c.getName()).isNotEqualTo(Boolean.TRUE);
      assertThat(sc.getCapabilities().getDrop()).as("%s drops", c.getName()).containsExactly("ALL");
      assertThat(sc.getCapabilities().getAdd()).as("%s adds", c.getName()).isNullOrEmpty();
      assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    }
  }
}
