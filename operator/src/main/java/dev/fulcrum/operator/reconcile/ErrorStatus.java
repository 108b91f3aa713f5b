package dev.fulcrum.operator.reconcile;

import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import dev.fulcrum.operator.status.Conditions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The status after a reconcile threw: the last status, with Ready=False ReconcileError. */
final class ErrorStatus {
  static final String REASON = "ReconcileError";

  private ErrorStatus() {}

  static ExternalLoadBalancerStatus of(ExternalLoadBalancer elb, Exception e, Instant now) {
    ExternalLoadBalancerStatus previous = elb.getStatus();
    ExternalLoadBalancerStatus s = previous == null ? new ExternalLoadBalancerStatus() : previous;
    long generation =
        elb.getMetadata().getGeneration() == null ? 0 : elb.getMetadata().getGeneration();
    String message =
        e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    List<io.fabric8.kubernetes.api.model.Condition> next = new ArrayList<>();
    next.add(Conditions.of(Conditions.READY, false, REASON, message));
    for (String type : List.of(Conditions.PROGRESSING, Conditions.DEGRADED)) {
      var old = Conditions.find(s.conditions, type);
      next.add(
          old != null
              ? old
              : Conditions.of(type, type.equals(Conditions.DEGRADED), REASON, message));
    }
    s.conditions =
        Conditions.merge(previous == null ? List.of() : previous.conditions, next, generation, now);
    s.observedGeneration = generation;
    return s;
  }
}
