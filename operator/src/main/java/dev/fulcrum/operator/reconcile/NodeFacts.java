package dev.fulcrum.operator.reconcile;

import io.fabric8.kubernetes.api.model.Node;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The parts of a Node that decide whether it is a backend; kubelet heartbeats change none of them,
 * so updates that leave these equal cause no reconcile.
 */
record NodeFacts(
    boolean ready, Map<String, String> labels, List<String> addresses, boolean deleting) {

  static NodeFacts of(Node n) {
    boolean ready =
        n.getStatus() != null
            && n.getStatus().getConditions() != null
            && n.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    List<String> addresses =
        n.getStatus() == null || n.getStatus().getAddresses() == null
            ? List.of()
            : n.getStatus().getAddresses().stream()
                .map(a -> a.getType() + "=" + a.getAddress())
                .toList();
    return new NodeFacts(
        ready,
        Objects.requireNonNullElse(n.getMetadata().getLabels(), Map.of()),
        addresses,
        n.getMetadata().getDeletionTimestamp() != null);
  }

  /** The informer's update filter: true when the update matters to backend selection. */
  static boolean changed(Node newNode, Node oldNode) {
    return !of(newNode).equals(of(oldNode));
  }
}
