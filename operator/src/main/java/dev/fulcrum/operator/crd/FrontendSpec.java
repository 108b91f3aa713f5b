package dev.fulcrum.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** The listening side on every lb host, and the VIP keepalived moves between them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.virtualIP) || (has(self.interface) && has(self.virtualRouterId))",
    message = "a virtualIP needs interface and virtualRouterId (keepalived's VRRP instance)")
public class FrontendSpec {
  @Required
  @Min(1)
  @Max(65535)
  public Integer port;

  @Default("0.0.0.0")
  public String bind;

  @Pattern("^[0-9a-fA-F:.]+/[0-9]{1,3}$")
  public String virtualIP;

  // Written into keepalived.conf on the lb hosts, so only interface-name characters.
  @JsonProperty("interface")
  @Pattern("^[A-Za-z0-9_.:@-]{1,15}$")
  public String interfaceName;

  @Min(1)
  @Max(255)
  public Integer virtualRouterId;
}
