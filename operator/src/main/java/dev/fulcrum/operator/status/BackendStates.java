package dev.fulcrum.operator.status;

import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus.BackendState;
import dev.fulcrum.operator.desired.BackendSelection;
import dev.fulcrum.operator.push.Observation;
import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.BackendHealth;
import dev.fulcrum.proxy.api.BackendStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Each selected server with its health and certificate as the proxies report them. */
final class BackendStates {
  private BackendStates() {}

  static List<BackendState> of(
      BackendSelection selection, List<Observation> observations, String registrationHost) {
    List<BackendState> out = new ArrayList<>();
    for (BackendSelection.Candidate c : selection.candidates()) {
      BackendConfig b = c.backend();
      List<BackendStatus> seen = new ArrayList<>();
      for (Observation o : observations) {
        if (o.loadBalancer() != null && o.loadBalancer().backends() != null) {
          o.loadBalancer().backends().stream()
              .filter(x -> Objects.equals(x.address(), b.address()) && x.port() == b.port())
              .forEach(seen::add);
        }
      }
      BackendState s = new BackendState();
      s.name = b.name();
      s.address = b.address();
      s.port = b.port();
      s.nodeReady = c.nodeReady();
      s.health = health(seen);
      s.certificateCoversAddress =
          seen.stream()
              .map(x -> CertificateCoverage.covers(x.tlsSans(), registrationHost))
              .filter(Objects::nonNull)
              .reduce(Boolean::logicalAnd)
              .orElse(null);
      out.add(s);
    }
    return out;
  }

  /** In status only: Up on some proxies and not on others. */
  static final String PARTIAL = "Partial";

  /** Up only when every proxy that reports the backend has it Up; Unknown when none does. */
  private static String health(List<BackendStatus> seen) {
    if (seen.isEmpty()) {
      return BackendHealth.UNKNOWN.label();
    }
    if (seen.stream().allMatch(x -> x.health() == BackendHealth.UP)) {
      return BackendHealth.UP.label();
    }
    if (seen.stream().noneMatch(x -> x.health() == BackendHealth.UP)) {
      return seen.get(0).health().label();
    }
    return PARTIAL;
  }
}
