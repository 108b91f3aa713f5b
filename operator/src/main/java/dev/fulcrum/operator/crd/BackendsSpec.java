package dev.fulcrum.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
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
  public Map<String, String> nodeSelector;

  @Default("6443")
  @Min(1)
  @Max(65535)
  public Integer port;

  @Default("InternalIP")
  public AddressType addressType;

  /**
   * {@code host:port} endpoints for bootstrap: served while no Node matches, each until a Node
   * registers for its address (see {@code BackendSelection}).
   */
  @JsonProperty("static")
  public List<String> staticEndpoints;

  @Default("1")
  @Min(1)
  public Integer minBackends;

  /** Which Node address is the backend's. */
  public enum AddressType {
    InternalIP,
    ExternalIP
  }
}
