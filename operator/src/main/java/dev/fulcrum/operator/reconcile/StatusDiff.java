package dev.fulcrum.operator.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import io.fabric8.kubernetes.client.utils.Serialization;

/** Compares statuses as the API server stores them, so an unchanged status is never written. */
final class StatusDiff {
  private static final ObjectMapper MAPPER = Serialization.jsonMapper();

  private StatusDiff() {}

  static boolean same(ExternalLoadBalancerStatus a, ExternalLoadBalancerStatus b) {
    if (a == null || b == null) {
      return a == b;
    }
    return MAPPER.valueToTree(a).equals(MAPPER.valueToTree(b));
  }
}
