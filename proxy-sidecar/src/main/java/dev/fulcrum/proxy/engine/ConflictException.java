package dev.fulcrum.proxy.engine;

/** A push refused because it is stale: lower epoch, or If-Match not the applied version (409). */
public final class ConflictException extends RuntimeException {
  private final String appliedVersion;
  private final long epoch;

  public ConflictException(String message, String appliedVersion, long epoch) {
    super(message);
    this.appliedVersion = appliedVersion;
    this.epoch = epoch;
  }

  public String appliedVersion() {
    return appliedVersion;
  }

  public long epoch() {
    return epoch;
  }
}
