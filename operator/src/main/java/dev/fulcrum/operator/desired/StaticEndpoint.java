package dev.fulcrum.operator.desired;

import dev.fulcrum.proxy.api.BackendConfig;

/** Parses a static backend written as {@code host:port} or {@code [v6]:port}. */
public final class StaticEndpoint {
  private StaticEndpoint() {}

  /**
   * The backend named by its own text.
   *
   * @throws IllegalArgumentException naming what is wrong with the text
   */
  public static BackendConfig parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("is empty (expected host:port)");
    }
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf("]:");
      if (close < 0) {
        throw new IllegalArgumentException("\"" + text + "\" is not [ipv6]:port");
      }
      host = text.substring(1, close);
      port = text.substring(close + 2);
    } else {
      int colon = text.lastIndexOf(':');
      if (colon <= 0 || text.indexOf(':') != colon) {
        throw new IllegalArgumentException(
            "\"" + text + "\" is not host:port (write IPv6 as [address]:port)");
      }
      host = text.substring(0, colon);
      port = text.substring(colon + 1);
    }
    try {
      return new BackendConfig(text, host, Integer.parseInt(port));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + text + "\" has no numeric port");
    }
  }
}
