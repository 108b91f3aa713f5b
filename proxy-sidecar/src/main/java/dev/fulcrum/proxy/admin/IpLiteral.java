package dev.fulcrum.proxy.admin;

import java.util.HexFormat;
import java.util.stream.Stream;

/** The octets of an IPv4 or IPv6 literal (RFC 4291 2.2 text forms), for an iPAddress SAN. */
final class IpLiteral {
  private static final String GROUP = "[0-9A-Fa-f]{1,4}";

  private IpLiteral() {}

  /** 4 or 16 octets, or null when {@code text} is not a literal (no DNS lookup, no zone). */
  static byte[] parse(String text) {
    return text.contains(":") ? v6(text) : v4(text);
  }

  private static byte[] v4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      if (!parts[i].matches("[0-9]{1,3}") || Integer.parseInt(parts[i]) > 255) {
        return null;
      }
      out[i] = (byte) Integer.parseInt(parts[i]);
    }
    return out;
  }

  private static byte[] v6(String text) {
    int lastColon = text.lastIndexOf(':');
    if (text.indexOf('.', lastColon) >= 0) { // trailing dotted quad, as in ::ffff:10.0.0.1
      byte[] v4 = v4(text.substring(lastColon + 1));
      if (v4 == null) {
        return null;
      }
      String hex = HexFormat.of().formatHex(v4);
      text = text.substring(0, lastColon + 1) + hex.substring(0, 4) + ":" + hex.substring(4);
    }
    int gap = text.indexOf("::");
    if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    String[] head = groups(gap < 0 ? text : text.substring(0, gap));
    String[] tail = groups(gap < 0 ? "" : text.substring(gap + 2));
    int zeros = 8 - head.length - tail.length;
    if (gap < 0 ? zeros != 0 : zeros < 1) {
      return null;
    }
    if (!Stream.concat(Stream.of(head), Stream.of(tail)).allMatch(g -> g.matches(GROUP))) {
      return null;
    }
    byte[] out = new byte[16];
    put(out, 0, head);
    put(out, 16 - 2 * tail.length, tail);
    return out;
  }

  private static String[] groups(String text) {
    return text.isEmpty() ? new String[0] : text.split(":", -1);
  }

  private static void put(byte[] out, int at, String[] groups) {
    for (String group : groups) {
      int value = Integer.parseInt(group, 16);
      out[at++] = (byte) (value >>> 8);
      out[at++] = (byte) value;
    }
  }
}
