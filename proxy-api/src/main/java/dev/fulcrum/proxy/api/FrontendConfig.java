package dev.fulcrum.proxy.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a load balancer listens, and the virtual IP keepalived moves between lb hosts.
 *
 * @param port the listening port, 1-65535
 * @param bind the local address to bind; default {@code ::}, IPv6 and IPv4 (narrowed to the VIP's
 *     family when there is a VIP); a proxy's {@code frontendBind} overrides it
 * @param virtualIP optional VIP in CIDR form, e.g. {@code 10.10.10.100/24}
 * @param interfaceName the interface keepalived puts the VIP on (wire name {@code interface})
 * @param virtualRouterId the VRRP router id, 1-255
 * @param priorities VRRP priority by proxy name (the resource's {@code proxies[].priority}); every
 *     proxy receives the same map and picks its own entry, so the content version stays equal
 * @param unicastPeers VRRP over unicast, for networks that drop multicast: each proxy's address on
 *     the VRRP interface, by proxy name; a proxy sends from its own entry to all the others. Null:
 *     multicast
 * @param preemptDelaySeconds how long a recovered host with the higher priority waits before it
 *     takes the VIP back (keepalived's {@code preempt_delay}), so a flapping host does not pull the
 *     VIP to and fro; null: at once
 * @param vrrpPassword VRRP authentication (keepalived's {@code auth_type PASS}), 1-8 characters;
 *     IPv4 VIPs only (VRRPv3, which IPv6 uses, has none); null: none. Never printed
 */
public record FrontendConfig(
    Integer port,
    String bind,
    String virtualIP,
    @JsonProperty("interface") String interfaceName,
    Integer virtualRouterId,
    Map<String, Integer> priorities,
    Map<String, String> unicastPeers,
    Integer preemptDelaySeconds,
    String vrrpPassword) {

  public static final String DEFAULT_BIND = "::";

  @JsonCreator
  public FrontendConfig {
    bind = bind == null || bind.isBlank() ? DEFAULT_BIND : bind;
    priorities = priorities == null || priorities.isEmpty() ? null : new TreeMap<>(priorities);
    unicastPeers =
        unicastPeers == null || unicastPeers.isEmpty() ? null : new TreeMap<>(unicastPeers);
  }

  /** A frontend without VRRP authentication. */
  public FrontendConfig(
      Integer port,
      String bind,
      String virtualIP,
      String interfaceName,
      Integer virtualRouterId,
      Map<String, Integer> priorities,
      Map<String, String> unicastPeers,
      Integer preemptDelaySeconds) {
    this(
        port,
        bind,
        virtualIP,
        interfaceName,
        virtualRouterId,
        priorities,
        unicastPeers,
        preemptDelaySeconds,
        null);
  }

  /** A frontend whose VRRP is multicast and preempts at once. */
  public FrontendConfig(
      Integer port,
      String bind,
      String virtualIP,
      String interfaceName,
      Integer virtualRouterId,
      Map<String, Integer> priorities) {
    this(port, bind, virtualIP, interfaceName, virtualRouterId, priorities, null, null);
  }

  /** A frontend without VRRP priorities. */
  public FrontendConfig(
      Integer port, String bind, String virtualIP, String interfaceName, Integer virtualRouterId) {
    this(port, bind, virtualIP, interfaceName, virtualRouterId, null);
  }

  @Override
  public String toString() {
    return "FrontendConfig[port="
        + port
        + ", bind="
        + bind
        + ", virtualIP="
        + virtualIP
        + ", interface="
        + interfaceName
        + ", virtualRouterId="
        + virtualRouterId
        + ", priorities="
        + priorities
        + ", unicastPeers="
        + unicastPeers
        + ", preemptDelaySeconds="
        + preemptDelaySeconds
        + ", vrrpPassword="
        + (vrrpPassword == null ? null : "[redacted]")
        + "]";
  }
}
