package dev.fulcrum.proxy.balance;

/** A backend's health, ordered from worst to best; the wire spells it {@code Down} / {@code Up}. */
public enum Health {
  DOWN("Down"),
  UP("Up");

  private final String wireName;

  Health(String wireName) {
    this.wireName = wireName;
  }

  @Override
  public String toString() {
    return wireName;
  }
}
