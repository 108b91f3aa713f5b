package dev.fulcrum.operator.push;

import dev.fulcrum.proxy.api.LoadBalancerStatus;

/**
 * What one proxy said when asked about a load balancer.
 *
 * @param loadBalancer its view of the load balancer, null when it serves none under that id
 * @param vipHeld whether it holds the VIP, null when it does not know
 * @param error why it could not be asked, null when it answered
 */
public record Observation(
    String proxy, String endpoint, LoadBalancerStatus loadBalancer, Boolean vipHeld, String error) {

  public boolean reachable() {
    return error == null;
  }

  public String appliedVersion() {
    return loadBalancer == null ? null : loadBalancer.appliedVersion();
  }
}
