package dev.fulcrum.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** One lb host's proxy-sidecar admin endpoint. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProxySpec {
  // The length bound keeps the uniqueness rule's CEL cost within the API server's budget.
  @JsonPropertyDescription(
      "The proxy's name; it must match name in that host's proxy.yaml (Degraded ProxyNameMismatch otherwise).")
  @Required
  @Size(max = 63)
  @Pattern("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
  public String name;

  @JsonPropertyDescription("The proxy's admin API, e.g. https://10.10.10.98:9443.")
  @Required
  @Pattern("^https://.+")
  public String endpoint;

  /** keepalived priority of this host; the highest healthy one holds the VIP. */
  @JsonPropertyDescription(
      "keepalived priority of this host (1-254); the highest one whose proxy is ready holds the VIP.")
  @Min(1)
  @Max(254)
  public Integer priority;

  // Written into keepalived.conf on the lb hosts, so only address characters.
  @JsonPropertyDescription(
      "With frontend.unicast: this host's address on the VRRP interface, when it is not the IP in"
          + " endpoint (e.g. the endpoint is a DNS name or on another network).")
  @Pattern("^[0-9a-fA-F:.]{2,45}$")
  public String vrrpAddress;

  public ProxySpec() {}

  public ProxySpec(String name, String endpoint, Integer priority) {
    this.name = name;
    this.endpoint = endpoint;
    this.priority = priority;
  }
}
