package dev.fulcrum.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed: the desired backend set, each proxy's view, and conditions. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ExternalLoadBalancerStatus {
  public Long observedGeneration;
  public String registrationAddress;
  public String desiredVersion;

  /** healthy/total, e.g. {@code 3/3}, for the printer column. */
  public String backendsSummary;

  /** synced/total, e.g. {@code 2/2}, for the printer column. */
  public String proxiesSummary;

  public List<BackendState> backends = new ArrayList<>();

  /** Server Nodes the selector matches that are not backends, with the reason. */
  public List<SkippedNode> skippedNodes = new ArrayList<>();

  public List<ProxyState> proxies = new ArrayList<>();
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
    public Boolean nodeReady;

    /** Up, Down, Draining or Unknown (no proxy reported it yet). */
    public String health;

    /** Whether the server's TLS certificate lists the registration address (its tls-san). */
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
    public String endpoint;

    public String appliedVersion;

    /** Synced, Pending, Unreachable, Refused, Failed or Orphaned. */
    public String state;

    // No live counters (active connections): status changes only when something a user acts on
    // does, so it is not rewritten while traffic flows. They are in the proxies' metrics.
    public Boolean vipHolder;
    public String message;
  }
}
