package dev.fulcrum.operator.push;

import dev.fulcrum.proxy.api.LoadBalancerStatus;

/**
 * What one proxy said when asked about a load balancer.
 *
 * @param loadBalancer its view of the load balancer, null when it serves none under that id
 * @param vipHeld whether it holds the VIP, null when it does not know
 * @param error why it could not be asked, null when it answered
 * @param calledItself the name the proxy reports ({@code name} in its proxy.yaml), null if unknown
 * @param revision the proxy's change-stream revision this answer reflects, null if unknown
 * @param keepalivedProblem why the proxy's VRRP instances did not reach keepalived on its host,
 *     null when they did (or it uses none)
 */
public record Observation(
    String proxy,
    String endpoint,
    LoadBalancerStatus loadBalancer,
    Boolean vipHeld,
    String error,
    String calledItself,
    String revision,
    String keepalivedProblem) {

  public Observation(
      String proxy,
      String endpoint,
      LoadBalancerStatus loadBalancer,
      Boolean vipHeld,
      String error,
      String calledItself,
      String revision) {
    this(proxy, endpoint, loadBalancer, vipHeld, error, calledItself, revision, null);
  }

  public Observation(
      String proxy,
      String endpoint,
      LoadBalancerStatus loadBalancer,
      Boolean vipHeld,
      String error,
      String calledItself) {
    this(proxy, endpoint, loadBalancer, vipHeld, error, calledItself, null);
  }

  public Observation(
      String proxy,
      String endpoint,
      LoadBalancerStatus loadBalancer,
      Boolean vipHeld,
      String error) {
    this(proxy, endpoint, loadBalancer, vipHeld, error, null);
  }

  public boolean reachable() {
    return error == null;
  }

  public String appliedVersion() {
    return loadBalancer == null ? null : loadBalancer.appliedVersion();
  }
}
