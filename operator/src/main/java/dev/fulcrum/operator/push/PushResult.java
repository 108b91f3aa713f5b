package dev.fulcrum.operator.push;

/**
 * The answer to one PUT.
 *
 * @param status the HTTP status, 0 when no answer came
 * @param appliedVersion what the proxy has applied after the call, when it said
 * @param error the failure with context, null on success
 * @param fence on a 409, the lowest epoch the proxy accepts for this load balancer; else 0
 */
public record PushResult(
    String proxy, int status, String appliedVersion, String error, long fence) {
  public PushResult(String proxy, int status, String appliedVersion, String error) {
    this(proxy, status, appliedVersion, error, 0L);
  }

  public boolean ok() {
    return error == null;
  }

  /**
   * The proxy answered and refused (stale epoch, invalid config): retrying the same will not help.
   */
  public boolean refused() {
    return status == 409 || status == 422;
  }

  /** Refused because this load balancer is fenced above the epoch pushed. */
  public boolean fenced() {
    return status == 409 && fence > 0;
  }
}
