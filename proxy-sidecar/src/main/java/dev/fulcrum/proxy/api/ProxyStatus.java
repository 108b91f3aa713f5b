package dev.fulcrum.proxy.api;

import java.util.List;

/** The answer to {@code GET /v1/status}: who this proxy is and what it serves. */
public record ProxyStatus(
    String name,
    String bootId,
    boolean ready,
    String notReadyReason,
    Boolean vipHeld,
    List<Summary> loadBalancers) {

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
