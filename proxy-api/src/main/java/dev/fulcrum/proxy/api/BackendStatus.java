package dev.fulcrum.proxy.api;

import java.util.List;

/**
 * One backend as this proxy sees it.
 *
 * @param health Up, Down, Draining, or Unknown before its first check
 * @param lastCheckError the last failed check's cause, null after a success
 * @param tlsSans the subject alternative names of the certificate the last TLS/HTTPS check saw
 */
public record BackendStatus(
    String name,
    String address,
    int port,
    BackendHealth health,
    int activeConnections,
    long totalConnections,
    String lastCheckError,
    List<String> tlsSans) {}
