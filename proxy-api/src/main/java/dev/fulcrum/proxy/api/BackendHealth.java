package dev.fulcrum.proxy.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A backend's health as a proxy reports it; the wire and the resource's status spell it so. */
public enum BackendHealth {
  UP("Up"),
  DOWN("Down"),
  /** Left the backend set; its connections drain. */
  DRAINING("Draining"),
  /** Served, but no check has finished yet (it gets new connections, as HAProxy starts it up). */
  UNKNOWN("Unknown");

  private final String label;

  BackendHealth(String label) {
    this.label = label;
  }

  @JsonValue
  public String label() {
    return label;
  }

  /** The wire's spelling; a value this version does not know reads as {@link #UNKNOWN}. */
  @JsonCreator
  public static BackendHealth fromWire(String label) {
    for (BackendHealth h : values()) {
      if (h.label.equals(label)) {
        return h;
      }
    }
    return UNKNOWN;
  }

  @Override
  public String toString() {
    return label;
  }
}
