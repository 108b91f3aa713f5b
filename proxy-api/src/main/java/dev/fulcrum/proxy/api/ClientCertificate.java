package dev.fulcrum.proxy.api;

/**
 * A PEM client certificate and key that HTTPS health checks present; never printed.
 *
 * @param certificate PEM certificate chain
 * @param privateKey PEM PKCS#8 private key
 */
public record ClientCertificate(String certificate, String privateKey) {
  @Override
  public String toString() {
    return "ClientCertificate[redacted]";
  }
}
