package dev.fulcrum.proxy.api;

/** Any refusal; for 409 it also says what the proxy has applied. */
public record ErrorResponse(String error, String appliedVersion, Long epoch) {
  public static ErrorResponse of(String error) {
    return new ErrorResponse(error, null, null);
  }
}
