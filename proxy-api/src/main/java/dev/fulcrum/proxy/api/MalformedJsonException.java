package dev.fulcrum.proxy.api;

/** A request body that is not JSON at all. */
public class MalformedJsonException extends IllegalArgumentException {
  public MalformedJsonException(String message, Throwable cause) {
    super(message, cause);
  }
}
