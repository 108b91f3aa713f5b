package dev.fulcrum.proxy.api;

import java.util.List;

/**
 * The answer to {@code GET /v1/status}: who this proxy is and what it serves, with the revision of
 * its change stream that this answer reflects.
 *
 * @param keepalivedProblem why the VRRP instances this proxy handed over did not reach keepalived
 *     (refused by fulcrum-keepalived, or not rendered at all); null when they did or none are used
 */
public record ProxyStatus(
    String name,
    String bootId,
    boolean ready,
    String notReadyReason,
    Boolean vipHeld,
    List<Summary> loadBalancers,
    String revision,
    String keepalivedProblem) {
  /** Without a revision (the engine's view; the admin API stamps the change feed's). */
  public ProxyStatus(
      String name,
      String bootId,
      boolean ready,
      String notReadyReason,
      Boolean vipHeld,
      List<Summary> loadBalancers) {
    this(name, bootId, ready, notReadyReason, vipHeld, loadBalancers, null, null);
  }

  /** The same status as of {@code revision} of {@code GET /v1/watch}. */
  public ProxyStatus withRevision(String revision) {
    return new ProxyStatus(
        name, bootId, ready, notReadyReason, vipHeld, loadBalancers, revision, keepalivedProblem);
  }

  /** The same status saying what keeps the VIP hand-off from reaching keepalived; null: nothing. */
  public ProxyStatus withKeepalivedProblem(String problem) {
    return new ProxyStatus(
        name, bootId, ready, notReadyReason, vipHeld, loadBalancers, revision, problem);
  }

  /** One load balancer in brief. */
  public record Summary(
      String id,
      String appliedVersion,
      long epoch,
      boolean listening,
      int backendsUp,
      int backendsTotal,
      int activeConnections) {}
}
