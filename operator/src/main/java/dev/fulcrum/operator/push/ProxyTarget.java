package dev.fulcrum.operator.push;

/**
 * A proxy as pushing sees it: its name in the resource and its admin API's base URL. The reconciler
 * makes these from spec.proxies (and from proxies that left it); nothing below the reconciler reads
 * the resource.
 *
 * @param name the proxy's name, as in its proxy.yaml
 * @param endpoint {@code https://host:port} of its admin API
 */
public record ProxyTarget(String name, String endpoint) {}
