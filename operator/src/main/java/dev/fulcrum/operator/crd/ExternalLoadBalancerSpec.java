package dev.fulcrum.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** What the user asks for; field names are the wire protocol's, so mapping is plain copying. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ExternalLoadBalancerSpec {
  @Required public FrontendSpec frontend;

  public BackendsSpec backends;

  @Default("LeastConnections")
  public BalanceSpec balance;

  public HealthCheckSpec healthCheck;

  public TimeoutsSpec timeouts;

  @Required
  @Size(min = 1, max = 16)
  @ValidationRule(
      value = "self.all(p, self.exists_one(q, q.name == p.name))",
      message = "proxies[].name must be unique")
  public List<ProxySpec> proxies;

  @Required public SecretRef credentialsSecretRef;

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
    @Required public String name;

    public SecretRef() {}

    public SecretRef(String name) {
      this.name = name;
    }
  }
}
