package dev.fulcrum.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.status.Conditions;
import dev.fulcrum.operator.testing.Resources;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ErrorStatusTest {
  @Test
  void aFailedReconcileShowsAsReadyFalseReconcileErrorWithTheCause() {
    var elb =
        Resources.elb(
            "k3s-api", 6443, null, List.of(new ProxySpec("lb-1", "https://127.0.0.1:1", 1)));
    elb.getMetadata().setGeneration(4L);
    var s =
        ErrorStatus.of(
            elb,
            new IllegalStateException("lease unreadable"),
            Instant.parse("2026-11-27T10:00:00Z"));
    var ready = Conditions.find(s.conditions, Conditions.READY);
    assertThat(ready.getStatus() + "/" + ready.getReason()).isEqualTo("False/ReconcileError");
    assertThat(ready.getMessage()).isEqualTo("IllegalStateException: lease unreadable");
    assertThat(ready.getObservedGeneration()).isEqualTo(4L);
    assertThat(s.conditions)
        .extracting(c -> c.getType())
        .containsExactly("Ready", "Progressing", "Degraded");
  }
}
