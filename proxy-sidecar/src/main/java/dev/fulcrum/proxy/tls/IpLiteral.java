package dev.fulcrum.proxy.tls;

import dev.fulcrum.proxy.api.ConfigValidator;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** The octets of an IPv4 or IPv6 literal (RFC 4291 2.2 text forms), for an iPAddress SAN. */
final class IpLiteral {
  private IpLiteral() {}

  /** 4 or 16 octets, or null when {@code text} is not a literal (no DNS lookup, no zone). */
  static byte[] parse(String text) {
    // Only literal characters reach the JDK, so it parses without a lookup (and without a zone);
    // IPv4 takes the config's own dotted-quad check.
    boolean v6 = text.contains(":");
    if (v6 ? !text.matches("[0-9a-fA-F:.]+") : !ConfigValidator.isIpLiteral(text)) {
      return null;
    }
    try {
      InetAddress address = InetAddress.getByName(text);
      byte[] octets = address.getAddress();
      if (address instanceof Inet4Address && v6) {
        // The JDK turns ::ffff:a.b.c.d into IPv4; the SAN keeps the IPv6 form that was written.
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(octets, 0, mapped, 12, 4);
        return mapped;
      }
      return octets;
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
