package dev.fulcrum.proxy.engine;

/** A push refused because the state could not be made durable; the old config keeps serving. */
public final class PersistenceException extends RuntimeException {
  public PersistenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
