package dev.fulcrum.operator.status;

import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec;
import dev.fulcrum.operator.push.ProxyTarget;
import java.net.URI;
import java.util.List;

/**
 * What the status reads of the resource's spec, taken once per reconcile: the status is built from
 * this and what the proxies answered, never from the spec itself.
 *
 * @param proxies spec.proxies, in their order (the status lists them so)
 * @param registrationHost the host agents register at and server certificates must name: the VIP,
 *     or without one the first proxy's host; null when unknown
 * @param registrationAddress {@code https://host:port}, or null when the host or port is unknown
 * @param virtualIP whether spec.frontend.virtualIP is set, so keepalived's health counts
 * @param minBackends spec.backends.minBackends (1 when unset)
 */
public record Intent(
    List<ProxyTarget> proxies,
    String registrationHost,
    String registrationAddress,
    boolean virtualIP,
    int minBackends) {

  public Intent {
    proxies = List.copyOf(proxies);
  }

  /** Reads a spec, valid or not (an invalid one still shows where agents register). */
  public static Intent of(ExternalLoadBalancerSpec spec) {
    List<ProxyTarget> proxies =
        spec.proxies == null
            ? List.of()
            : spec.proxies.stream()
                .filter(p -> p != null && p.name != null)
                .map(p -> new ProxyTarget(p.name, p.endpoint))
                .toList();
    Integer min = spec.backends == null ? null : spec.backends.minBackends;
    String host = registrationHost(spec);
    Integer port = spec.frontend == null ? null : spec.frontend.port;
    return new Intent(
        proxies,
        host,
        host == null || port == null
            ? null
            : "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port,
        spec.frontend != null && spec.frontend.virtualIP != null,
        min == null ? 1 : min);
  }

  /** The VIP, or without one the first proxy's host; null when unknown. */
  private static String registrationHost(ExternalLoadBalancerSpec spec) {
    if (spec.frontend == null) {
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
}
