package dev.fulcrum.operator.status;

import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.push.ProxyTarget;
import java.util.ArrayList;
import java.util.List;

/**
 * A proxy that served a load balancer and has left its {@code spec.proxies} (or moved to another
 * endpoint): the operator deletes the load balancer from it, so it stops serving a frozen backend
 * set and withdraws its VRRP instance.
 *
 * @param error why the delete did not succeed this round, null once it is done
 */
public record Orphan(String name, String endpoint, String error) {

  /** The proxies the previous status lists (with an endpoint) that the spec no longer names. */
  public static List<ProxyTarget> of(ExternalLoadBalancerStatus previous, List<ProxySpec> spec) {
    List<ProxyTarget> out = new ArrayList<>();
    if (previous == null || previous.proxies == null) {
      return out;
    }
    for (ExternalLoadBalancerStatus.ProxyState p : previous.proxies) {
      boolean kept =
          spec.stream().anyMatch(s -> s.name.equals(p.name) && s.endpoint.equals(p.endpoint));
      if (!kept && p.endpoint != null) {
        out.add(new ProxyTarget(p.name, p.endpoint));
      }
    }
    return out;
  }
}
