package dev.fulcrum.operator.status;

import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec;
import java.net.URI;

/** Where agents and kubectl register: the VIP, or without one the first proxy's host. */
final class Registration {
  private Registration() {}

  /** The host that server certificates must name (their tls-san), or null when unknown. */
  static String host(ExternalLoadBalancerSpec spec) {
    if (spec == null || spec.frontend == null) {
      return null;
    }
    String vip = spec.frontend.virtualIP;
    if (vip != null && !vip.isBlank()) {
      int slash = vip.indexOf('/');
      return slash < 0 ? vip : vip.substring(0, slash);
    }
    if (spec.proxies == null
        || spec.proxies.isEmpty()
        || spec.proxies.get(0) == null
        || spec.proxies.get(0).endpoint == null) {
      return null;
    }
    try {
      String h = URI.create(spec.proxies.get(0).endpoint).getHost();
      return h != null && h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** {@code https://10.10.10.100:6443}, or null when the host or port is unknown. */
  static String address(ExternalLoadBalancerSpec spec) {
    String host = host(spec);
    if (host == null || spec.frontend.port == null) {
      return null;
    }
    return "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + spec.frontend.port;
  }
}
