package dev.fulcrum.proxy.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a load balancer listens, and the virtual IP keepalived moves between lb hosts.
 *
 * @param port the listening port, 1-65535
 * @param bind the local address to bind; default {@code 0.0.0.0} (a proxy's {@code frontendBind}
 *     overrides it)
 * @param virtualIP optional VIP in CIDR form, e.g. {@code 10.10.10.100/24}
 * @param interfaceName the interface keepalived puts the VIP on (wire name {@code interface})
 * @param virtualRouterId the VRRP router id, 1-255
 */
public record FrontendConfig(
    Integer port,
    String bind,
    String virtualIP,
    @JsonProperty("interface") String interfaceName,
    Integer virtualRouterId) {

  public static final String DEFAULT_BIND = "0.0.0.0";

  FrontendConfig withDefaults() {
    return new FrontendConfig(
        port,
        bind == null || bind.isBlank() ? DEFAULT_BIND : bind,
        virtualIP,
        interfaceName,
        virtualRouterId);
  }
}
