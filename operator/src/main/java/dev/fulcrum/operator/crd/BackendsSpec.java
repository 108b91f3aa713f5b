package dev.fulcrum.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.List;
import java.util.Map;

/** Which Nodes (and static endpoints) are backends, and on which port. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackendsSpec {
  /** K3s marks its API servers with this label; etcd-only servers lack it. */
  public static final Map<String, String> DEFAULT_NODE_SELECTOR =
      Map.of("node-role.kubernetes.io/control-plane", "true");

  public static final int DEFAULT_PORT = 6443;

  /** Equality-based label selector; empty or absent means {@link #DEFAULT_NODE_SELECTOR}. */
  @JsonPropertyDescription(
      "Labels a server Node must carry (equality only); empty or absent means node-role.kubernetes.io/control-plane=true, which K3s sets on its API servers.")
  public Map<String, String> nodeSelector;

  @JsonPropertyDescription("The servers' API port (default 6443).")
  @Default("6443")
  @Min(1)
  @Max(65535)
  public Integer port;

  @JsonPropertyDescription(
      "Which Node address is the backend's: InternalIP (default) or ExternalIP (K3s sets it with --node-external-ip). Nodes without one are listed in status.skippedNodes.")
  @Default("InternalIP")
  public AddressType addressType;

  /**
   * {@code host:port} endpoints for bootstrap: served while no Node matches, each until a Node
   * registers for its address (see {@code BackendSelection}).
   */
  @JsonPropertyDescription(
      "host:port endpoints for bootstrap: served while no Node matches the selector, each until a Node registers for its address.")
  @JsonProperty("static")
  public List<String> staticEndpoints;

  @JsonPropertyDescription(
      "Fewer Ready servers than this are never pushed: the proxies keep the last set (Degraded KeepingLastKnownBackends). Default 1.")
  @Default("1")
  @Min(1)
  public Integer minBackends;

  /** Which Node address is the backend's. */
  public enum AddressType {
    InternalIP,
    ExternalIP
  }
}
