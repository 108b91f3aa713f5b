package dev.fulcrum.proxy.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What an active health check proves about a backend, from weakest to strongest. */
public enum HealthCheckMode {
  /** The TCP handshake completes. */
  TCP,
  /** The TLS handshake completes; the certificate's SANs are recorded. */
  TLS,
  /** An HTTPS GET of {@code path} answers with the expected status. */
  HTTPS;

  @JsonValue
  public String wireName() {
    return name();
  }

  @JsonCreator
  public static HealthCheckMode fromWire(String value) {
    return WireEnums.parse(HealthCheckMode.class, value, HealthCheckMode::wireName);
  }
}
