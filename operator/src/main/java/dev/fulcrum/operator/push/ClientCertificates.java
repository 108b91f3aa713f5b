package dev.fulcrum.operator.push;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;

/** Key managers from the Secret's PEM {@code tls.crt} and PKCS#8 {@code tls.key}, for mTLS. */
public final class ClientCertificates {
  private ClientCertificates() {}

  /**
   * Whether {@code certPem} and {@code keyPem} make a usable certificate and key.
   *
   * @throws GeneralSecurityException naming what is wrong with them
   */
  public static void check(String certPem, String keyPem) throws GeneralSecurityException {
    try {
      keyManagers(certPem, keyPem);
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw new GeneralSecurityException(e.getMessage(), e);
    }
  }

  static KeyManager[] keyManagers(String certPem, String keyPem)
      throws GeneralSecurityException, java.io.IOException {
    Certificate[] chain =
        CertificateFactory.getInstance("X.509")
            .generateCertificates(
                new ByteArrayInputStream(certPem.getBytes(StandardCharsets.US_ASCII)))
            .toArray(new Certificate[0]);
    if (chain.length == 0) {
      throw new GeneralSecurityException("tls.crt holds no PEM certificate");
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(
        "client", privateKey(keyPem, chain[0].getPublicKey().getAlgorithm()), new char[0], chain);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    return kmf.getKeyManagers();
  }

  private static PrivateKey privateKey(String pem, String algorithm)
      throws GeneralSecurityException {
    if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
      throw new GeneralSecurityException("tls.key must be PKCS#8 PEM (BEGIN PRIVATE KEY)");
    }
    String base64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(base64);
    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
  }
}
