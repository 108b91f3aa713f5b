package dev.fulcrum.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Active health checks the proxies run against every backend (HAProxy rise/fall semantics). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HealthCheckSpec {
  @Default("TLS")
  public Mode mode;

  @Min(1)
  @Max(3600)
  public Integer intervalSeconds;

  @Min(1)
  @Max(3600)
  public Integer downIntervalSeconds;

  @Min(1)
  @Max(100)
  public Integer rise;

  @Min(1)
  @Max(100)
  public Integer fall;

  @Min(1)
  @Max(60)
  public Integer timeoutSeconds;

  /** HTTPS only: the request path; K3s answers {@code /ping}. */
  public String path;

  @Min(100)
  @Max(599)
  public Integer expectStatus;

  /** What a check proves: the TCP handshake, the TLS handshake, or an HTTPS answer. */
  public enum Mode {
    TCP,
    TLS,
    HTTPS
  }
}
