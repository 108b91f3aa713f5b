package dev.fulcrum.proxy.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The few DER (X.690) encodings {@link Pki} needs, and a reader for the key formats it converts.
 */
final class Der {
  static final int BOOLEAN = 0x01;
  static final int INTEGER = 0x02;
  static final int BIT_STRING = 0x03;
  static final int OCTET_STRING = 0x04;
  static final int NULL = 0x05;
  static final int OID = 0x06;
  static final int UTF8_STRING = 0x0c;
  static final int UTC_TIME = 0x17;
  static final int GENERALIZED_TIME = 0x18;
  static final int SEQUENCE = 0x30;
  static final int SET = 0x31;

  private static final DateTimeFormatter UTC_TIME_FORMAT =
      DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");
  private static final DateTimeFormatter GENERALIZED_TIME_FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'");

  private Der() {}

  /** One element read back: its tag and its content octets. */
  record Element(int tag, byte[] content) {
    byte[] encoded() {
      return tlv(tag, content);
    }
  }

  static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else {
      int lengthBytes = (39 - Integer.numberOfLeadingZeros(n)) / 8;
      out.write(0x80 | lengthBytes);
      for (int i = lengthBytes - 1; i >= 0; i--) {
        out.write(n >>> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  static byte[] sequence(byte[]... elements) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] e : elements) {
      out.writeBytes(e);
    }
    return tlv(SEQUENCE, out.toByteArray());
  }

  /** A SET of one element (a SET of several would need its elements sorted). */
  static byte[] setOf(byte[] element) {
    return tlv(SET, element);
  }

  static byte[] integer(BigInteger value) {
    return tlv(INTEGER, value.toByteArray()); // minimal two's complement, as DER wants
  }

  static byte[] bool(boolean value) {
    return tlv(BOOLEAN, new byte[] {(byte) (value ? 0xff : 0)});
  }

  static byte[] nullValue() {
    return tlv(NULL, new byte[0]);
  }

  static byte[] octetString(byte[] value) {
    return tlv(OCTET_STRING, value);
  }

  static byte[] bitString(byte[] value) {
    byte[] content = new byte[value.length + 1]; // first octet: no unused bits
    System.arraycopy(value, 0, content, 1, value.length);
    return tlv(BIT_STRING, content);
  }

  /** A named-bit BIT STRING (such as KeyUsage) with these bits set, trailing zero bits cut. */
  static byte[] namedBits(int... bits) {
    int highest = 0;
    for (int bit : bits) {
      highest = Math.max(highest, bit);
    }
    byte[] content = new byte[highest / 8 + 2];
    content[0] = (byte) (7 - highest % 8);
    for (int bit : bits) {
      content[1 + bit / 8] |= (byte) (0x80 >>> (bit % 8));
    }
    return tlv(BIT_STRING, content);
  }

  static byte[] oid(String dotted) {
    String[] arcs = dotted.split("\\.");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    base128(out, Long.parseLong(arcs[0]) * 40 + Long.parseLong(arcs[1]));
    for (int i = 2; i < arcs.length; i++) {
      base128(out, Long.parseLong(arcs[i]));
    }
    return tlv(OID, out.toByteArray());
  }

  private static void base128(ByteArrayOutputStream out, long value) {
    int groups = Math.max(1, (70 - Long.numberOfLeadingZeros(value)) / 7);
    for (int i = groups - 1; i >= 0; i--) {
      out.write((int) (value >>> (7 * i)) & 0x7f | (i > 0 ? 0x80 : 0));
    }
  }

  static byte[] utf8(String value) {
    return tlv(UTF8_STRING, value.getBytes(StandardCharsets.UTF_8));
  }

  /** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, whole seconds in UTC. */
  static byte[] time(Instant instant) {
    ZonedDateTime t = instant.atZone(ZoneOffset.UTC);
    boolean utc = t.getYear() >= 1950 && t.getYear() < 2050;
    String text = (utc ? UTC_TIME_FORMAT : GENERALIZED_TIME_FORMAT).format(t);
    return tlv(utc ? UTC_TIME : GENERALIZED_TIME, text.getBytes(StandardCharsets.US_ASCII));
  }

  /** A constructed context-specific tag {@code [n]} around one element (EXPLICIT tagging). */
  static byte[] explicit(int n, byte[] element) {
    return tlv(0xa0 | n, element);
  }

  /** A primitive context-specific tag {@code [n]} with these content octets (IMPLICIT tagging). */
  static byte[] implicit(int n, byte[] content) {
    return tlv(0x80 | n, content);
  }

  /** The elements of the SEQUENCE that {@code der} is, and nothing but. */
  static List<Element> sequenceOf(byte[] der) throws IOException {
    List<Element> whole = elements(der);
    if (whole.size() != 1 || whole.get(0).tag() != SEQUENCE) {
      throw new IOException("malformed DER: not one SEQUENCE");
    }
    return elements(whole.get(0).content());
  }

  /** The elements one after another in {@code der}; single-octet tags and definite lengths only. */
  static List<Element> elements(byte[] der) throws IOException {
    List<Element> out = new ArrayList<>();
    int pos = 0;
    while (pos < der.length) {
      int tag = der[pos++] & 0xff;
      if ((tag & 0x1f) == 0x1f || pos >= der.length) {
        throw new IOException("malformed DER at offset " + (pos - 1));
      }
      int length = der[pos++] & 0xff;
      if (length >= 0x80) {
        int lengthBytes = length & 0x7f;
        if (lengthBytes == 0 || lengthBytes > 3 || pos + lengthBytes > der.length) {
          throw new IOException("malformed DER length at offset " + (pos - 1));
        }
        length = 0;
        for (int i = 0; i < lengthBytes; i++) {
          length = length << 8 | der[pos++] & 0xff;
        }
      }
      if (length > der.length - pos) {
        throw new IOException("malformed DER: element at offset " + pos + " runs past the end");
      }
      byte[] content = new byte[length];
      System.arraycopy(der, pos, content, 0, length);
      out.add(new Element(tag, content));
      pos += length;
    }
    return out;
  }

  /** The dotted form of an OBJECT IDENTIFIER's content octets. */
  static String oidString(byte[] content) {
    StringBuilder out = new StringBuilder();
    long value = 0;
    for (byte b : content) {
      value = value << 7 | b & 0x7f;
      if ((b & 0x80) == 0) {
        if (out.length() == 0) {
          long first = Math.min(value / 40, 2);
          out.append(first).append('.').append(value - 40 * first);
        } else {
          out.append('.').append(value);
        }
        value = 0;
      }
    }
    return out.toString();
  }
}
