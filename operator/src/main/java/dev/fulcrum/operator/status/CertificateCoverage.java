package dev.fulcrum.operator.status;

import dev.fulcrum.proxy.api.ConfigValidator;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/** Whether a server certificate's SANs, as a proxy's TLS check saw them, name an address. */
public final class CertificateCoverage {
  private CertificateCoverage() {}

  /** Null when no SANs were seen (TCP checks, or no check yet), so nothing is claimed. */
  public static Boolean covers(List<String> sans, String host) {
    if (sans == null || sans.isEmpty() || host == null) {
      return null;
    }
    return sans.stream().map(CertificateCoverage::strip).anyMatch(san -> matches(san, host));
  }

  /** The line to add to the server's /etc/rancher/k3s/config.yaml. */
  public static String tlsSanLine(String host) {
    return "tls-san: " + host;
  }

  // Proxies may report "IP:10.0.0.1" / "DNS:name" (OpenSSL style) or the bare value.
  private static String strip(String san) {
    String s = san.trim();
    String upper = s.toUpperCase(Locale.ROOT);
    if (upper.startsWith("IP:") || upper.startsWith("DNS:")) {
      return s.substring(s.indexOf(':') + 1).trim();
    }
    return s;
  }

  private static boolean matches(String san, String host) {
    if (ConfigValidator.isIpLiteral(san) && ConfigValidator.isIpLiteral(host)) {
      try {
        return InetAddress.getByName(san).equals(InetAddress.getByName(host));
      } catch (UnknownHostException e) {
        return false;
      }
    }
    String s = san.toLowerCase(Locale.ROOT);
    String h = host.toLowerCase(Locale.ROOT);
    if (s.startsWith("*.")) {
      int dot = h.indexOf('.');
      return dot > 0 && h.substring(dot).equals(s.substring(1));
    }
    return s.equals(h);
  }
}
