package dev.fulcrum.proxy.api;

/**
 * One backend endpoint: a K3s server's API address.
 *
 * @param name a label for logs, metrics and status (the Node name, or host:port for static ones)
 * @param address an IPv4 or IPv6 literal or a host name
 * @param port the TCP port, 1-65535
 */
public record BackendConfig(String name, String address, int port) {

  /** {@code address:port}, with brackets around IPv6 literals. */
  public String endpoint() {
    return (address != null && address.contains(":") ? "[" + address + "]" : address) + ":" + port;
  }
}
