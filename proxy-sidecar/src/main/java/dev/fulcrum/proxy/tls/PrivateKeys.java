package dev.fulcrum.proxy.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Reads a private key from PEM blocks: PKCS#8, or OpenSSL's SEC1, PKCS#1 and DSA forms. */
final class PrivateKeys {
  private static final String EC = "1.2.840.10045.2.1";
  private static final String RSA = "1.2.840.113549.1.1.1";
  private static final String DSA = "1.2.840.10040.4.1";
  private static final Map<String, String> ALGORITHMS =
      Map.of(
          EC,
          "EC",
          RSA,
          "RSA",
          "1.2.840.113549.1.1.10",
          "RSASSA-PSS",
          DSA,
          "DSA",
          "1.3.101.112",
          "Ed25519",
          "1.3.101.113",
          "Ed448");

  private PrivateKeys() {}

  /** The first private key among {@code blocks}. */
  static PrivateKey read(List<Pem.Block> blocks) throws IOException {
    Pem.Block block =
        blocks.stream()
            .filter(b -> b.label().endsWith("PRIVATE KEY"))
            .findFirst()
            .orElseThrow(
                () -> new IOException("no private key in PEM (found " + labels(blocks) + ")"));
    if (block.encrypted() || block.label().equals("ENCRYPTED PRIVATE KEY")) {
      throw new IOException(
          "the private key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN-KEY)");
    }
    byte[] der = block.der();
    byte[] pkcs8 =
        switch (block.label()) {
          case "PRIVATE KEY" -> der;
          case "EC PRIVATE KEY" -> pkcs8(ecAlgorithm(der), der);
          case "RSA PRIVATE KEY" -> pkcs8(Der.sequence(Der.oid(RSA), Der.nullValue()), der);
          case "DSA PRIVATE KEY" -> dsaPkcs8(der);
          default -> throw new IOException("unsupported private key type " + block.label());
        };
    return privateKey(pkcs8);
  }

  private static String labels(List<Pem.Block> blocks) {
    return blocks.isEmpty()
        ? "nothing"
        : blocks.stream().map(Pem.Block::label).collect(Collectors.joining(", "));
  }

  /** PKCS#8 PrivateKeyInfo (RFC 5208): version 0, the algorithm, the key in its own format. */
  private static byte[] pkcs8(byte[] algorithm, byte[] key) {
    return Der.sequence(Der.integer(BigInteger.ZERO), algorithm, Der.octetString(key));
  }

  /**
   * SEC1 ECPrivateKey (RFC 5915): version, key, [0] curve, [1] public key; PKCS#8 names the curve.
   */
  private static byte[] ecAlgorithm(byte[] sec1) throws IOException {
    for (Der.Element e : Der.sequenceOf(sec1)) {
      if (e.tag() == 0xa0) {
        return Der.sequence(Der.oid(EC), e.content());
      }
    }
    throw new IOException("the EC PRIVATE KEY does not name its curve");
  }

  /** OpenSSL's DSA key is version, p, q, g, y, x; PKCS#8 holds p, q, g as parameters, and x. */
  private static byte[] dsaPkcs8(byte[] der) throws IOException {
    List<Der.Element> f = Der.sequenceOf(der);
    if (f.size() != 6 || f.stream().anyMatch(e -> e.tag() != Der.INTEGER)) {
      throw new IOException("malformed DSA PRIVATE KEY");
    }
    byte[] params = Der.sequence(f.get(1).encoded(), f.get(2).encoded(), f.get(3).encoded());
    return pkcs8(Der.sequence(Der.oid(DSA), params), f.get(5).encoded());
  }

  private static PrivateKey privateKey(byte[] pkcs8) throws IOException {
    List<Der.Element> info = Der.sequenceOf(pkcs8);
    List<Der.Element> algorithm =
        info.size() >= 3 && info.get(1).tag() == Der.SEQUENCE
            ? Der.elements(info.get(1).content())
            : List.of();
    if (algorithm.isEmpty() || algorithm.get(0).tag() != Der.OID) {
      throw new IOException("malformed PKCS#8 private key");
    }
    String oid = Der.oidString(algorithm.get(0).content());
    String name = ALGORITHMS.get(oid);
    if (name == null) {
      throw new IOException("unsupported private key algorithm " + oid);
    }
    try {
      return KeyFactory.getInstance(name).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException e) {
      throw new IOException("bad " + name + " private key: " + e.getMessage(), e);
    }
  }
}
