package dev.fulcrum.proxy.admin;

/**
 * An admin request as {@link AdminApi} needs it, free of Netty; the body is already aggregated.
 *
 * @param path the request path without its query
 * @param from the peer address, for logs
 */
record AdminRequest(
    String method, String path, String authorization, String ifMatch, byte[] body, String from) {}
