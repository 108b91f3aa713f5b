package dev.fulcrum.proxy.api;

/** A config that is well-formed JSON but breaks a rule; the message starts with the field path. */
public class InvalidConfigException extends IllegalArgumentException {
  private final String field;

  public InvalidConfigException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
