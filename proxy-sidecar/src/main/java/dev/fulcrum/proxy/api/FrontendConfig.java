package dev.fulcrum.proxy.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a load balancer listens, and the virtual IP keepalived moves between lb hosts.
 *
 * @param port the listening port, 1-65535
 * @param bind the local address to bind; default {@code 0.0.0.0} (a proxy's {@code frontendBind}
 *     overrides it)
 * @param virtualIP optional VIP in CIDR form, e.g. {@code 10.10.10.100/24}
 * @param interfaceName the interface keepalived puts the VIP on (wire name {@code interface})
 * @param virtualRouterId the VRRP router id, 1-255
 * @param priorities VRRP priority by proxy name (the resource's {@code proxies[].priority}); every
 *     proxy receives the same map and picks its own entry, so the content version stays equal
 */
public record FrontendConfig(
    Integer port,
    String bind,
    String virtualIP,
    @JsonProperty("interface") String interfaceName,
    Integer virtualRouterId,
    Map<String, Integer> priorities) {

  public static final String DEFAULT_BIND = "0.0.0.0";

  @JsonCreator
  public FrontendConfig {
    priorities = priorities == null || priorities.isEmpty() ? null : new TreeMap<>(priorities);
  }

  /** A frontend without VRRP priorities. */
  public FrontendConfig(
      Integer port, String bind, String virtualIP, String interfaceName, Integer virtualRouterId) {
    this(port, bind, virtualIP, interfaceName, virtualRouterId, null);
  }

  FrontendConfig withDefaults() {
    return new FrontendConfig(
        port,
        bind == null || bind.isBlank() ? DEFAULT_BIND : bind,
        virtualIP,
        interfaceName,
        virtualRouterId,
        priorities);
  }
}
