package dev.fulcrum.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed: the desired backend set, each proxy's view, and conditions. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ExternalLoadBalancerStatus {
  @JsonPropertyDescription("The spec generation this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription("The fixed address agents and kubectl use: https://<virtualIP>:<port>.")
  public String registrationAddress;

  @JsonPropertyDescription("Content hash of the backend set and settings the operator pushes now.")
  public String desiredVersion;

  /** healthy/total, e.g. {@code 3/3}, for the printer column. */
  @JsonPropertyDescription("Servers Up by the proxies' checks / servers listed, e.g. 3/3.")
  public String backendsSummary;

  /** synced/total, e.g. {@code 2/2}, for the printer column. */
  @JsonPropertyDescription("Proxies serving desiredVersion / proxies listed, e.g. 2/2.")
  public String proxiesSummary;

  @JsonPropertyDescription(
      "Every server Node the selector matches (and served static endpoints), with its health as the proxies see it.")
  public List<BackendState> backends = new ArrayList<>();

  /** Server Nodes the selector matches that are not backends, with the reason. */
  @JsonPropertyDescription(
      "Server Nodes that cannot be backends, with the reason (e.g. no address of spec.backends.addressType).")
  public List<SkippedNode> skippedNodes = new ArrayList<>();

  @JsonPropertyDescription(
      "Every proxy of spec.proxies, then any that left it while still serving (Orphaned).")
  public List<ProxyState> proxies = new ArrayList<>();

  @JsonPropertyDescription(
      "Ready (agents can register through the address now), Progressing (a push is under way) and Degraded (something needs a person).")
  public List<Condition> conditions = new ArrayList<>();

  /** A server Node that is not a backend, e.g. without an address of {@code addressType}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SkippedNode {
    public String name;
    public String reason;
  }

  /** One backend: a server Node or static endpoint, with health as the proxies see it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class BackendState {
    public String name;
    public String address;
    public Integer port;

    @JsonPropertyDescription("The Node's Ready condition; absent for a static endpoint.")
    public Boolean nodeReady;

    /** Up, Down, Draining or Unknown (no proxy reported it yet). */
    @JsonPropertyDescription(
        "Up (every proxy reporting it has it Up), Down, Draining, Partial (Up on some proxies only) or Unknown (not checked yet, or no proxy reported it).")
    public String health;

    /** Whether the server's TLS certificate lists the registration address (its tls-san). */
    @JsonPropertyDescription(
        "Whether the server's TLS certificate lists the registration address (its tls-san).")
    public Boolean certificateCoversAddress;
  }

  /**
   * One proxy: what it has applied and whether it holds the VIP. A proxy that left {@code
   * spec.proxies} while it still serves this load balancer is listed as {@code Orphaned} until it
   * no longer does.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ProxyState {
    public String name;

    /** Its admin API, so the operator can still reach it once it has left the spec. */
    @JsonPropertyDescription("Its admin API, kept so an orphaned proxy can still be reached.")
    public String endpoint;

    @JsonPropertyDescription("The version this proxy serves.")
    public String appliedVersion;

    /** Synced, Pending, Unreachable, Refused, Failed or Orphaned. */
    @JsonPropertyDescription(
        "Synced (serves desiredVersion), Pending, Unreachable, Refused, Failed or Orphaned; message says why.")
    public String state;

    // No live counters (active connections): status changes only when something a user acts on
    // does, so it is not rewritten while traffic flows. They are in the proxies' metrics.
    @JsonPropertyDescription("Whether this host holds the virtual IP now.")
    public Boolean vipHolder;

    public String message;
  }
}
