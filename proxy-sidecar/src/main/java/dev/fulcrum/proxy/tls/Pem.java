package dev.fulcrum.proxy.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** PEM text (RFC 7468, plus OpenSSL's legacy headers): writing one block, reading every block. */
final class Pem {
  private static final String BEGIN = "-----BEGIN ";
  private static final String END = "-----END ";
  private static final String DASHES = "-----";

  private Pem() {}

  /**
   * One block read back.
   *
   * @param encrypted whether OpenSSL's legacy {@code Proc-Type: 4,ENCRYPTED} header marked it
   */
  record Block(String label, byte[] der, boolean encrypted) {}

  static String write(String label, byte[] der) {
    Base64.Encoder base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    String body = base64.encodeToString(der);
    return String.format("-----BEGIN %s-----\n%s\n-----END %s-----\n", label, body, label);
  }

  /** Every block in {@code text}, in order; text outside the blocks is ignored. */
  static List<Block> read(String text) throws IOException {
    List<Block> out = new ArrayList<>();
    String label = null;
    StringBuilder body = new StringBuilder();
    boolean encrypted = false;
    for (String raw : text.split("\\R")) {
      String line = raw.strip();
      if (label == null) {
        if (line.startsWith(BEGIN) && line.endsWith(DASHES) && line.length() > 16) {
          label = line.substring(BEGIN.length(), line.length() - DASHES.length());
          body.setLength(0);
          encrypted = false;
        }
      } else if (line.startsWith(END)) {
        if (!line.equals(END + label + DASHES)) {
          throw new IOException("PEM block BEGIN " + label + " ends with \"" + line + "\"");
        }
        out.add(new Block(label, decode(label, body.toString()), encrypted));
        label = null;
      } else if (line.contains(":")) {
        encrypted |= line.replace(" ", "").equalsIgnoreCase("Proc-Type:4,ENCRYPTED");
      } else {
        body.append(line);
      }
    }
    if (label != null) {
      throw new IOException("PEM block BEGIN " + label + " has no END line");
    }
    return out;
  }

  private static byte[] decode(String label, String base64) throws IOException {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IOException("bad base64 in PEM block " + label + ": " + e.getMessage(), e);
    }
  }
}
