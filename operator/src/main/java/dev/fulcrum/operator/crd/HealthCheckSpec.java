package dev.fulcrum.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** Active health checks the proxies run against every backend (HAProxy rise/fall semantics). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.clientCertificateSecretRef) || (has(self.mode) && self.mode == 'HTTPS')",
    message = "clientCertificateSecretRef is presented by HTTPS checks only: set mode: HTTPS")
public class HealthCheckSpec {
  @JsonPropertyDescription(
      "What a check proves: TCP (the handshake), TLS (default: the TLS handshake; the certificate's names are recorded) or HTTPS (an answer with expectStatus).")
  @Default("TLS")
  public Mode mode;

  @JsonPropertyDescription("Seconds between checks of a server that is Up (default 10).")
  @Min(1)
  @Max(3600)
  public Integer intervalSeconds;

  @JsonPropertyDescription("Seconds between checks of a server that is Down (default 5).")
  @Min(1)
  @Max(3600)
  public Integer downIntervalSeconds;

  @JsonPropertyDescription("Consecutive passed checks that bring a Down server Up (default 2).")
  @Min(1)
  @Max(100)
  public Integer rise;

  @JsonPropertyDescription("Consecutive failed checks that take an Up server Down (default 3).")
  @Min(1)
  @Max(100)
  public Integer fall;

  @JsonPropertyDescription("How long one check may take, in seconds (default 2).")
  @Min(1)
  @Max(60)
  public Integer timeoutSeconds;

  /** HTTPS only: the request path; K3s answers {@code /ping}. */
  @JsonPropertyDescription("HTTPS only: the request path (default /ping, which K3s answers).")
  public String path;

  @JsonPropertyDescription("HTTPS only: the status that counts as healthy (default 200).")
  @Min(100)
  @Max(599)
  public Integer expectStatus;

  @JsonPropertyDescription(
      "HTTPS only: a kubernetes.io/tls Secret in this namespace (tls.crt, tls.key) whose"
          + " certificate the checks present, for servers that require a client certificate;"
          + " the operator needs read access to it (chart value rbac.credentialsSecretNames when"
          + " Secrets are restricted by name).")
  public ExternalLoadBalancerSpec.SecretRef clientCertificateSecretRef;

  /** What a check proves: the TCP handshake, the TLS handshake, or an HTTPS answer. */
  public enum Mode {
    TCP,
    TLS,
    HTTPS
  }
}
