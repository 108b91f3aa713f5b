package dev.fulcrum.proxy.api;

import java.util.List;

/**
 * The answer to {@code GET /v1/status}: who this proxy is and what it serves, with the revision of
 * its change stream that this answer reflects.
 */
public record ProxyStatus(
    String name,
    String bootId,
    boolean ready,
    String notReadyReason,
    Boolean vipHeld,
    List<Summary> loadBalancers,
    String revision) {
  /** Without a revision (the engine's view; the admin API stamps the change feed's). */
  public ProxyStatus(
      String name,
      String bootId,
      boolean ready,
      String notReadyReason,
      Boolean vipHeld,
      List<Summary> loadBalancers) {
    this(name, bootId, ready, notReadyReason, vipHeld, loadBalancers, null);
  }

  /** The same status as of {@code revision} of {@code GET /v1/watch}. */
  public ProxyStatus withRevision(String revision) {
    return new ProxyStatus(name, bootId, ready, notReadyReason, vipHeld, loadBalancers, revision);
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
