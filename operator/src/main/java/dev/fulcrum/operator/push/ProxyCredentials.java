package dev.fulcrum.operator.push;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The bearer token and CA bundle from the credentials Secret; never printed.
 *
 * @param token the proxies' admin bearer token (Secret key {@code token})
 * @param caPem the CA (or bundle of self-signed certificates) of the proxies' admin endpoints
 * @param clientCertPem optional client certificate chain for proxies that require mTLS
 * @param clientKeyPem its PKCS#8 private key
 */
public record ProxyCredentials(
    String token, String caPem, String clientCertPem, String clientKeyPem) {
  public static final String TOKEN_KEY = "token";
  public static final String CA_KEY = "ca.crt";
  public static final String CERT_KEY = "tls.crt";
  public static final String KEY_KEY = "tls.key";

  public ProxyCredentials(String token, String caPem) {
    this(token, caPem, null, null);
  }

  /**
   * Reads the Secret's {@code token} and {@code ca.crt}.
   *
   * @throws IllegalArgumentException naming the missing key
   */
  public static ProxyCredentials from(Secret secret) {
    String name = secret.getMetadata().getName();
    String token = value(secret, TOKEN_KEY);
    String ca = value(secret, CA_KEY);
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("Secret " + name + " has no key \"" + TOKEN_KEY + "\"");
    }
    if (ca == null || ca.isBlank()) {
      throw new IllegalArgumentException("Secret " + name + " has no key \"" + CA_KEY + "\"");
    }
    String cert = value(secret, CERT_KEY);
    String key = value(secret, KEY_KEY);
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException(
          "Secret " + name + " has only one of \"" + CERT_KEY + "\" and \"" + KEY_KEY + "\"");
    }
    return new ProxyCredentials(token.trim(), ca, cert, key);
  }

  /** A key of a Secret, from data (base64) or stringData; null when it has none. */
  public static String value(Secret secret, String key) {
    Map<String, String> data = secret.getData();
    if (data != null && data.get(key) != null) {
      return new String(Base64.getDecoder().decode(data.get(key)), StandardCharsets.UTF_8);
    }
    Map<String, String> plain = secret.getStringData();
    return plain == null ? null : plain.get(key);
  }

  @Override
  public String toString() {
    return "ProxyCredentials[redacted]";
  }
}
