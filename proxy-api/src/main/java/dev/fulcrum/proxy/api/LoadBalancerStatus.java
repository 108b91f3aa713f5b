package dev.fulcrum.proxy.api;

import java.util.List;

/** The answer to {@code GET /v1/loadbalancers/{id}}. */
public record LoadBalancerStatus(
    String id,
    String appliedVersion,
    long epoch,
    boolean listening,
    String listenAddress,
    String listenError,
    int activeConnections,
    List<BackendStatus> backends) {}
