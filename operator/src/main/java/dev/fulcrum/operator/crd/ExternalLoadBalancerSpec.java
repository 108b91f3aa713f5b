package dev.fulcrum.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** What the user asks for; field names are the wire protocol's, so mapping is plain copying. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ExternalLoadBalancerSpec {
  @JsonPropertyDescription(
      "Where the proxies listen and the virtual IP keepalived moves between the lb hosts.")
  @Required
  public FrontendSpec frontend;

  @JsonPropertyDescription(
      "Which server Nodes (and bootstrap endpoints) are backends, and on which port.")
  public BackendsSpec backends;

  @JsonPropertyDescription(
      "How a proxy picks a server for a new connection: RoundRobin, LeastConnections (default), Random or SourceHash.")
  @Default("LeastConnections")
  public BalanceSpec balance;

  @JsonPropertyDescription(
      "Active checks every proxy runs against every server; a server is served only while Up.")
  public HealthCheckSpec healthCheck;

  @JsonPropertyDescription("Connect, idle and drain timeouts of proxied connections.")
  public TimeoutsSpec timeouts;

  @JsonPropertyDescription(
      "Client connections a proxy serves at once for this load balancer (default 10000); more wait in the listen backlog until one closes.")
  @Min(1)
  @Max(1000000)
  public Integer maxConnections;

  @JsonPropertyDescription(
      "Paced rebalancing of long-lived connections after a server rejoins; off unless closesPerSecond is set.")
  public RebalanceSpec rebalance;

  @JsonPropertyDescription("The reconnect-storm guard: how fast new clients reach each server.")
  public AdmissionSpec admission;

  @JsonPropertyDescription(
      "The lb hosts' proxies, each by its admin API endpoint (1 to 16, unique names).")
  @Required
  @Size(min = 1, max = 16)
  @ValidationRule(
      value = "self.all(p, self.exists_one(q, q.name == p.name))",
      message = "proxies[].name must be unique")
  public List<ProxySpec> proxies;

  @JsonPropertyDescription(
      "A Secret in this namespace with the proxies' admin token (token), the CA that signed their admin certificates (ca.crt) and optionally a client certificate (tls.crt, tls.key).")
  @Required
  public SecretRef credentialsSecretRef;

  @JsonPropertyDescription(
      "What happens on the proxies when this resource is deleted: Retain (default) keeps them serving the last backends; Clear removes the load balancer from every proxy first.")
  @Default("Retain")
  public DeletionPolicy deletionPolicy;

  /** How the load balancer picks a backend; constants are spelled as on the wire. */
  public enum BalanceSpec {
    RoundRobin,
    LeastConnections,
    Random,
    SourceHash
  }

  /** What happens on the proxies when the resource is deleted. */
  public enum DeletionPolicy {
    /** The proxies keep serving the last pushed backends. */
    Retain,
    /** The frontend is removed from every proxy before the resource goes. */
    Clear
  }

  /** A Secret in the resource's namespace. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SecretRef {
    @JsonPropertyDescription("The Secret's name.")
    @Required
    public String name;

    public SecretRef() {}

    public SecretRef(String name) {
      this.name = name;
    }
  }
}
