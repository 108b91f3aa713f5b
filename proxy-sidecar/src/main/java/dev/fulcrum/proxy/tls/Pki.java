package dev.fulcrum.proxy.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/** Makes and reads the certificates Fulcrum needs: the admin API's, and test CAs and servers. */
public final class Pki {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] ECDSA_WITH_SHA256 = Der.sequence(Der.oid("1.2.840.10045.4.3.2"));
  private static final String COMMON_NAME = "2.5.4.3";
  private static final String BASIC_CONSTRAINTS = "2.5.29.19";
  private static final String KEY_USAGE = "2.5.29.15";
  private static final String SUBJECT_ALT_NAME = "2.5.29.17";
  // KeyUsage bits and GeneralName tags, RFC 5280 4.2.1.3 and 4.2.1.6.
  private static final int DIGITAL_SIGNATURE = 0;
  private static final int KEY_ENCIPHERMENT = 2;
  private static final int DNS_NAME = 2;
  private static final int IP_ADDRESS = 7;

  private Pki() {}

  /** A private key and its certificate chain (leaf first). */
  public record Issued(PrivateKey key, List<X509Certificate> chain) {
    public X509Certificate certificate() {
      return chain.get(0);
    }

    public String certificatePem() {
      StringBuilder out = new StringBuilder();
      chain.forEach(c -> out.append(pem(c)));
      return out.toString();
    }

    public String keyPem() {
      return pem(key);
    }

    @Override
    public String toString() {
      return "Issued[" + certificate().getSubjectX500Principal() + "]";
    }
  }

  /** A self-signed server certificate for these SANs (IP literals become IP SANs). */
  public static Issued selfSigned(String commonName, List<String> sans, Duration validity) {
    KeyPair kp = newKeyPair();
    byte[] name = name(commonName);
    return new Issued(
        kp.getPrivate(),
        List.of(sign(name, kp.getPublic(), name, kp.getPrivate(), sans, validity)));
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no EC P-256 key generator in this JDK", e);
    }
  }

  /** The name {@code CN=commonName}, the common name taken literally (commas are not parsed). */
  private static byte[] name(String commonName) {
    return Der.sequence(Der.setOf(Der.sequence(Der.oid(COMMON_NAME), Der.utf8(commonName))));
  }

  /**
   * An X.509 v3 end-entity certificate (RFC 5280 4.1), signed with ECDSA over SHA-256. Test
   * authorities and the certificates they issue come from netty-pkitesting, in tests only.
   */
  private static X509Certificate sign(
      byte[] subject,
      PublicKey subjectKey,
      byte[] issuer,
      PrivateKey issuerKey,
      List<String> sans,
      Duration validity) {
    List<byte[]> extensions = new ArrayList<>();
    extensions.add(extension(BASIC_CONSTRAINTS, true, Der.sequence()));
    extensions.add(extension(KEY_USAGE, true, Der.namedBits(DIGITAL_SIGNATURE, KEY_ENCIPHERMENT)));
    if (!sans.isEmpty()) {
      byte[][] names = sans.stream().map(Pki::generalName).toArray(byte[][]::new);
      extensions.add(extension(SUBJECT_ALT_NAME, false, Der.sequence(names)));
    }
    Instant now = Instant.now();
    byte[] tbs =
        Der.sequence(
            Der.explicit(0, Der.integer(BigInteger.TWO)), // v3
            Der.integer(new BigInteger(127, RANDOM)),
            ECDSA_WITH_SHA256,
            issuer,
            Der.sequence(Der.time(now.minus(Duration.ofMinutes(5))), Der.time(now.plus(validity))),
            subject,
            subjectKey.getEncoded(),
            Der.explicit(3, Der.sequence(extensions.toArray(byte[][]::new))));
    try {
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(issuerKey, RANDOM);
      signer.update(tbs);
      byte[] der = Der.sequence(tbs, ECDSA_WITH_SHA256, Der.bitString(signer.sign()));
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "cannot sign a certificate for " + new X500Principal(subject), e);
    }
  }

  private static byte[] extension(String oid, boolean critical, byte[] value) {
    return critical
        ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octetString(value))
        : Der.sequence(Der.oid(oid), Der.octetString(value)); // DER leaves out FALSE, the default
  }

  private static byte[] generalName(String san) {
    boolean ip = san.matches("[0-9.]+") || san.contains(":");
    if (!ip) {
      if (!StandardCharsets.US_ASCII.newEncoder().canEncode(san)) {
        throw new IllegalArgumentException("SAN \"" + san + "\" is not an ASCII DNS name");
      }
      return Der.implicit(DNS_NAME, san.getBytes(StandardCharsets.US_ASCII));
    }
    byte[] address = IpLiteral.parse(san);
    if (address == null) {
      throw new IllegalArgumentException("SAN \"" + san + "\" is not a valid IP address");
    }
    return Der.implicit(IP_ADDRESS, address);
  }

  /** PEM text of a certificate, or of a private key as PKCS#8 ({@code BEGIN PRIVATE KEY}). */
  public static String pem(Object certificateOrKey) {
    try {
      if (certificateOrKey instanceof PrivateKey key && "PKCS#8".equals(key.getFormat())) {
        // PKCS#8 carries the EC curve in its algorithm identifier, and Netty reads it.
        return Pem.write("PRIVATE KEY", key.getEncoded());
      }
      if (certificateOrKey instanceof Certificate c) {
        return Pem.write("CERTIFICATE", c.getEncoded());
      }
    } catch (CertificateException e) {
      throw new IllegalStateException("cannot write PEM", e);
    }
    throw new IllegalArgumentException(
        "cannot write PEM for "
            + (certificateOrKey == null ? "null" : certificateOrKey.getClass().getName()));
  }

  /**
   * Reads the first private key in PEM text: PKCS#8, or OpenSSL's traditional SEC1 (EC), PKCS#1
   * (RSA) or DSA form.
   */
  public static PrivateKey readKey(String pem) throws IOException {
    return PrivateKeys.read(Pem.read(pem));
  }

  /** Reads every certificate in a PEM bundle. */
  public static List<X509Certificate> readCertificates(String pem) throws IOException {
    List<X509Certificate> out = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (Pem.Block b : Pem.read(pem)) {
        if (b.label().equals("CERTIFICATE") || b.label().equals("X509 CERTIFICATE")) {
          out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der())));
        }
      }
    } catch (CertificateException e) {
      throw new IOException("bad certificate in PEM: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new IOException("no certificate in PEM");
    }
    return out;
  }
}
