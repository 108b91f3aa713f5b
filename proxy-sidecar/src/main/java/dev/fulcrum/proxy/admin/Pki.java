package dev.fulcrum.proxy.admin;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Makes and reads the certificates Fulcrum needs: the admin API's, and test CAs and servers. */
public final class Pki {
  private static final SecureRandom RANDOM = new SecureRandom();

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

  /** A self-signed CA. */
  public static Issued certificateAuthority(String commonName) {
    KeyPair kp = newKeyPair();
    X500Name name = new X500Name("CN=" + commonName);
    return new Issued(
        kp.getPrivate(),
        List.of(sign(name, kp, name, kp.getPrivate(), List.of(), true, Duration.ofDays(3650))));
  }

  /** A self-signed server certificate for these SANs (IP literals become IP SANs). */
  public static Issued selfSigned(String commonName, List<String> sans, Duration validity) {
    KeyPair kp = newKeyPair();
    X500Name name = new X500Name("CN=" + commonName);
    return new Issued(
        kp.getPrivate(), List.of(sign(name, kp, name, kp.getPrivate(), sans, false, validity)));
  }

  /** A leaf certificate signed by {@code ca}. */
  public static Issued issue(Issued ca, String commonName, List<String> sans) {
    KeyPair kp = newKeyPair();
    X500Name issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
    X509Certificate leaf =
        sign(
            new X500Name("CN=" + commonName),
            kp,
            issuer,
            ca.key(),
            sans,
            false,
            Duration.ofDays(825));
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(leaf);
    return new Issued(kp.getPrivate(), List.copyOf(chain));
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

  private static X509Certificate sign(
      X500Name subject,
      KeyPair subjectKeys,
      X500Name issuer,
      PrivateKey issuerKey,
      List<String> sans,
      boolean ca,
      Duration validity) {
    try {
      Instant now = Instant.now();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              issuer,
              new BigInteger(127, RANDOM),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(validity)),
              subject,
              subjectKeys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      b.addExtension(
          Extension.keyUsage,
          true,
          ca
              ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature)
              : new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      if (!sans.isEmpty()) {
        GeneralName[] names = sans.stream().map(Pki::generalName).toArray(GeneralName[]::new);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (IOException | OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a certificate for " + subject, e);
    }
  }

  private static GeneralName generalName(String san) {
    boolean ip = san.matches("[0-9.]+") || san.contains(":");
    return new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, san);
  }

  /** PEM text of a certificate, or of a private key as PKCS#8 ({@code BEGIN PRIVATE KEY}). */
  public static String pem(Object certificateOrKey) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      if (certificateOrKey instanceof PrivateKey key) {
        // PKCS#8 carries the EC curve in its algorithm identifier; the SEC1 form written by
        // default does not for JDK keys, and cannot be read back (nor by Netty).
        w.writeObject(new JcaPKCS8Generator(key, null));
      } else {
        w.writeObject(certificateOrKey);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot write PEM", e);
    }
    return out.toString();
  }

  /** Reads a PEM private key (PKCS#8, or SEC1/PKCS#1 key pair). */
  public static PrivateKey readKey(String pem) throws IOException {
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      Object o = p.readObject();
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair kp) {
        return conv.getPrivateKey(kp.getPrivateKeyInfo());
      }
      if (o instanceof PrivateKeyInfo info) {
        return conv.getPrivateKey(info);
      }
      throw new IOException(
          "no private key in PEM (found "
              + (o == null ? "nothing" : o.getClass().getSimpleName())
              + ")");
    }
  }

  /** Reads every certificate in a PEM bundle. */
  public static List<X509Certificate> readCertificates(String pem) throws IOException {
    List<X509Certificate> out = new ArrayList<>();
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
      for (Object o = p.readObject(); o != null; o = p.readObject()) {
        if (o instanceof org.bouncycastle.cert.X509CertificateHolder h) {
          out.add(conv.getCertificate(h));
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IOException("bad certificate in PEM: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new IOException("no certificate in PEM");
    }
    return out;
  }
}
