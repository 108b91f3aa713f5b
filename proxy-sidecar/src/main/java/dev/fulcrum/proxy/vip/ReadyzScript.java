package dev.fulcrum.proxy.vip;

import java.net.URI;

/**
 * The track script keepalived runs: asks the proxy's telemetry {@code /readyz} over bash's own
 * {@code /dev/tcp}, so the lb host needs neither curl nor wget. Each VRRP instance runs it with its
 * VIP as the argument, so only the load balancers on that VIP decide where it goes.
 */
public final class ReadyzScript {
  private ReadyzScript() {}

  /**
   * The script for {@code readyz} (an {@code http://host:port/path} URL); it exits 0 only on an
   * HTTP 200 answer.
   *
   * @throws IllegalArgumentException the URL is not plain http with a host and a port
   */
  public static String render(URI readyz) {
    String host = readyz.getHost();
    int port = readyz.getPort();
    if (!"http".equals(readyz.getScheme()) || host == null || port <= 0) {
      throw new IllegalArgumentException("must be http://host:port/path (got \"" + readyz + "\")");
    }
    String path =
        readyz.getRawPath() == null || readyz.getRawPath().isEmpty() ? "/" : readyz.getRawPath();
    if (!(host + port + path).matches("[A-Za-z0-9_.:/\\[\\]%-]+")) {
      throw new IllegalArgumentException(
          "has characters a script cannot carry: \"" + readyz + "\"");
    }
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return "#!/bin/bash\n"
        + "# Written by fulcrum-proxy: keepalived's track script. It asks "
        + readyz
        + "\n# (with a VIP as its argument, ?vip=VIP: only the load balancers on that VIP count)\n"
        + "# and exits 0 only on an HTTP 200 answer.\n"
        + "path='"
        + path
        + "'\n"
        + "if [ -n \"${1:-}\" ]; then\n"
        + "  [[ \"$1\" =~ ^[0-9A-Fa-f.:]+$ ]] || exit 1\n"
        + "  path=\"$path?vip=$1\"\n"
        + "fi\n"
        + "exec 3<>/dev/tcp/"
        + bare
        + "/"
        + port
        + " || exit 1\n"
        + "printf 'GET %s HTTP/1.0\\r\\nHost: "
        + host
        + "\\r\\nConnection: close\\r\\n\\r\\n' \"$path\" >&3\n"
        + "read -r -t 2 _ code _ <&3 || exit 1\n"
        + "[ \"$code\" = 200 ]\n";
  }
}
