package dev.fulcrum.operator.push;

/**
 * The answer to one PUT.
 *
 * @param status the HTTP status, 0 when no answer came
 * @param appliedVersion what the proxy has applied after the call, when it said
 * @param error the failure with context, null on success
 */
public record PushResult(String proxy, int status, String appliedVersion, String error) {
  public boolean ok() {
    return error == null;
  }

  /**
   * The proxy answered and refused (stale epoch, invalid config): retrying the same will not help.
   */
  public boolean refused() {
    return status == 409 || status == 422;
  }
}
