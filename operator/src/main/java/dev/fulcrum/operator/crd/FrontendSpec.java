package dev.fulcrum.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
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
@ValidationRule(
    value =
        "has(self.virtualIP) || ((!has(self.unicast) || !self.unicast) && !has(self.preemptDelaySeconds))",
    message = "unicast and preemptDelaySeconds are VRRP settings: they need a virtualIP")
@ValidationRule(
    value = "!has(self.vrrpPasswordKey) || (has(self.virtualIP) && !self.virtualIP.contains(':'))",
    message =
        "vrrpPasswordKey needs an IPv4 virtualIP: VRRP over IPv6 (VRRPv3) has no authentication")
public class FrontendSpec {
  @JsonPropertyDescription(
      "The port agents and kubectl connect to on the VIP and on every lb host, e.g. 6443.")
  @Required
  @Min(1)
  @Max(65535)
  public Integer port;

  @JsonPropertyDescription(
      "The address the proxies listen on. Default :: serves IPv6 and IPv4, narrowed to the VIP's family when virtualIP is set (so an IPv4 and an IPv6 VIP can share a port); 0.0.0.0 is IPv4 only.")
  @Default("\"::\"")
  public String bind;

  @JsonPropertyDescription(
      "The registration address with its prefix, e.g. 10.10.10.100/24; keepalived holds it on one lb host. status.registrationAddress is https://<this address>:<port>.")
  @Pattern("^[0-9a-fA-F:.]+/[0-9]{1,3}$")
  public String virtualIP;

  // Written into keepalived.conf on the lb hosts, so only interface-name characters.
  @JsonPropertyDescription("The network interface keepalived puts the VIP on, e.g. eth0.")
  @JsonProperty("interface")
  @Pattern("^[A-Za-z0-9_.:@-]{1,15}$")
  public String interfaceName;

  @JsonPropertyDescription(
      "keepalived's virtual_router_id (1-255), unique among VRRP instances on the network.")
  @Min(1)
  @Max(255)
  public Integer virtualRouterId;

  @JsonPropertyDescription(
      "VRRP over unicast instead of multicast, for networks that drop multicast (most clouds):"
          + " each lb host advertises to the others at its address, spec.proxies[].vrrpAddress or"
          + " else the IP of its endpoint (default false).")
  public Boolean unicast;

  @JsonPropertyDescription(
      "Seconds a recovered lb host with the higher priority waits before it takes the VIP back"
          + " (keepalived's preempt_delay), so a flapping host does not pull it to and fro (default"
          + " 0: at once).")
  @Min(0)
  @Max(1000)
  public Integer preemptDelaySeconds;

  @JsonPropertyDescription(
      "VRRP authentication: the key in the credentials Secret (spec.credentialsSecretRef) whose"
          + " value, 1-8 characters, the lb hosts' advertisements carry (keepalived's auth_type"
          + " PASS). It is sent in clear: it keeps another VRRP group on the network out by"
          + " mistake, it does not stop an attacker on it. IPv4 VIPs only.")
  @Pattern("^[-._a-zA-Z0-9]{1,253}$")
  public String vrrpPasswordKey;
}
