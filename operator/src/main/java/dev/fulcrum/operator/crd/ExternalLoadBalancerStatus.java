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
  public List<ProxyState> proxies = new ArrayList<>();
  public List<Condition> conditions = new ArrayList<>();

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

    public Boolean vipHolder;
    public Integer activeConnections;
    public String message;
  }
}
