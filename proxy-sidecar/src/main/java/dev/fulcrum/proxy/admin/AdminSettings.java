package dev.fulcrum.proxy.admin;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the admin API listens and authenticates; {@code proxy.yaml}'s admin section maps onto it.
 *
 * @param host the listen address, e.g. {@code 0.0.0.0} or {@code 10.10.10.98}
 * @param port the listen port (0 picks a free one, for tests)
 * @param certFile PEM certificate chain; with {@code keyFile}, or both null for a self-signed
 *     certificate generated into the state dir
 * @param keyFile PEM private key (PKCS#8, or SEC1/PKCS#1)
 * @param clientCaFile PEM CA bundle; when set, clients must present a certificate it signed
 * @param tokenFile the file holding the bearer token; re-read when it changes
 * @param requestTimeout how long a connection may take to deliver a whole request
 */
public record AdminSettings(
    String host,
    int port,
    Path certFile,
    Path keyFile,
    Path clientCaFile,
    Path tokenFile,
    Duration requestTimeout) {

  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  public AdminSettings {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("admin.host is required, e.g. 0.0.0.0");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          "admin.port must be between 0 and 65535 (got " + port + ")");
    }
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException(
          "admin.certFile and admin.keyFile go together: set both, or neither for a self-signed"
              + " certificate");
    }
    if (tokenFile == null) {
      throw new IllegalArgumentException(
          "admin.tokenFile is required: the admin API never runs without a bearer token");
    }
    if (requestTimeout == null) {
      requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    } else if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException(
          "admin.requestTimeout must be positive (got " + requestTimeout + ")");
    }
  }

  public AdminSettings(
      String host, int port, Path certFile, Path keyFile, Path clientCaFile, Path tokenFile) {
    this(host, port, certFile, keyFile, clientCaFile, tokenFile, DEFAULT_REQUEST_TIMEOUT);
  }
}
