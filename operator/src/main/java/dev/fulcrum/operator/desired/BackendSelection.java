package dev.fulcrum.operator.desired;

import dev.fulcrum.operator.crd.BackendsSpec;
import dev.fulcrum.operator.crd.BackendsSpec.AddressType;
import dev.fulcrum.proxy.api.BackendConfig;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The pure choice of backends: server Nodes that are Ready, not being deleted and not excluded,
 * deduplicated by endpoint and sorted as the proxy sorts them.
 *
 * <p>Static endpoints are for bootstrap only. All are served while no Node matches the selector
 * (with an address of the type, Ready or not). Once Nodes exist, an entry stays only while it was
 * served as static last time and no Node has its address; when a Node registers for it, the Node's
 * name takes over the same endpoint (the proxy keeps its sessions). So a server Node deleted later
 * is not served again through a static entry, and an entry added after bootstrap is not served.
 *
 * @param backends what is pushed, sorted by address, port, name
 * @param candidates every selected server, ready or not, for status
 * @param enough whether the set reaches {@code minBackends} (an empty set never does)
 * @param skipped server Nodes the selector matches that cannot be backends, and why
 */
public record BackendSelection(
    List<BackendConfig> backends,
    List<Candidate> candidates,
    boolean enough,
    List<Skipped> skipped) {

  /** Nodes carrying this label are never backends (the service controller's convention). */
  public static final String EXCLUDE_LABEL =
      "node.kubernetes.io/exclude-from-external-load-balancers";

  static final Comparator<BackendConfig> ORDER =
      Comparator.comparing(BackendConfig::address)
          .thenComparingInt(BackendConfig::port)
          .thenComparing(BackendConfig::name);

  /** A server that matches the selector; {@code nodeReady} is null for static endpoints. */
  public record Candidate(BackendConfig backend, Boolean nodeReady) {}

  /** A server Node the selector matches that is not a backend, and why (for status). */
  public record Skipped(String node, String reason) {}

  public BackendSelection {
    backends = List.copyOf(backends);
    candidates = List.copyOf(candidates);
    skipped = List.copyOf(skipped);
  }

  /** Selects from the Nodes as the informer holds them, before any static entry was served. */
  public static BackendSelection select(Collection<Node> nodes, BackendsSpec spec) {
    return select(nodes, spec, Set.of());
  }

  /**
   * Selects from the Nodes as the informer holds them; the spec may be partly unset.
   *
   * @param servedStatic the endpoints the previous status shows served from static entries
   */
  public static BackendSelection select(
      Collection<Node> nodes, BackendsSpec spec, Set<String> servedStatic) {
    BackendsSpec s = spec == null ? new BackendsSpec() : spec;
    Map<String, String> selector =
        s.nodeSelector == null || s.nodeSelector.isEmpty()
            ? BackendsSpec.DEFAULT_NODE_SELECTOR
            : s.nodeSelector;
    int port = s.port == null ? BackendsSpec.DEFAULT_PORT : s.port;
    AddressType type = s.addressType == null ? AddressType.InternalIP : s.addressType;
    Map<String, Candidate> byEndpoint = new LinkedHashMap<>();
    List<Skipped> skipped = new ArrayList<>();
    nodes.stream()
        .sorted(Comparator.comparing((Node n) -> n.getMetadata().getName()))
        .filter(n -> matches(n, selector) && isServing(n))
        .forEach(
            n -> {
              Optional<String> a = address(n, type);
              if (a.isEmpty()) {
                skipped.add(new Skipped(n.getMetadata().getName(), noAddress(n, type)));
                return;
              }
              BackendConfig b = new BackendConfig(n.getMetadata().getName(), a.get(), port);
              byEndpoint.putIfAbsent(b.endpoint(), new Candidate(b, isReady(n)));
            });
    boolean bootstrap = byEndpoint.isEmpty();
    if (s.staticEndpoints != null) {
      for (String endpoint : s.staticEndpoints) {
        BackendConfig b = StaticEndpoint.parse(endpoint);
        if (bootstrap || servedStatic.contains(b.endpoint())) {
          byEndpoint.putIfAbsent(b.endpoint(), new Candidate(b, null)); // a Node's name wins
        }
      }
    }
    List<Candidate> candidates = new ArrayList<>(byEndpoint.values());
    candidates.sort(Comparator.comparing(Candidate::backend, ORDER));
    List<BackendConfig> backends =
        candidates.stream()
            .filter(c -> c.nodeReady() == null || c.nodeReady())
            .map(Candidate::backend)
            .toList();
    int min = s.minBackends == null ? 1 : Math.max(1, s.minBackends);
    return new BackendSelection(backends, candidates, backends.size() >= min, skipped);
  }

  private static String noAddress(Node n, AddressType type) {
    List<String> has =
        n.getStatus() == null || n.getStatus().getAddresses() == null
            ? List.of()
            : n.getStatus().getAddresses().stream().map(NodeAddress::getType).distinct().toList();
    return "no "
        + type
        + " address (spec.backends.addressType)"
        + (has.isEmpty() ? "; it reports none" : "; it has " + String.join(", ", has))
        + (type == AddressType.ExternalIP ? "; K3s sets one with --node-external-ip" : "");
  }

  static boolean matches(Node node, Map<String, String> selector) {
    Map<String, String> labels = node.getMetadata().getLabels();
    if (labels == null || labels.containsKey(EXCLUDE_LABEL)) {
      return false;
    }
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  /** Not being deleted; readiness is reported separately so status can show NotReady servers. */
  static boolean isServing(Node node) {
    return node.getMetadata().getDeletionTimestamp() == null;
  }

  static boolean isReady(Node node) {
    return node.getStatus() != null
        && node.getStatus().getConditions() != null
        && node.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The first address of the type (Kubernetes lists the primary family first). */
  static Optional<String> address(Node node, AddressType type) {
    if (node.getStatus() == null || node.getStatus().getAddresses() == null) {
      return Optional.empty();
    }
    return node.getStatus().getAddresses().stream()
        .filter(a -> type.name().equals(a.getType()))
        .map(NodeAddress::getAddress)
        .filter(a -> a != null && !a.isBlank())
        .findFirst();
  }
}
