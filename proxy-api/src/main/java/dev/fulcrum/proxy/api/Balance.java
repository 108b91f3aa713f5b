package dev.fulcrum.proxy.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How a load balancer picks the backend for a new connection; spelled on the wire as in the CRD.
 */
public enum Balance {
  ROUND_ROBIN("RoundRobin"),
  LEAST_CONNECTIONS("LeastConnections"),
  RANDOM("Random"),
  SOURCE_HASH("SourceHash");

  private final String wireName;

  Balance(String wireName) {
    this.wireName = wireName;
  }

  @JsonValue
  public String wireName() {
    return wireName;
  }

  @JsonCreator
  public static Balance fromWire(String value) {
    return WireEnums.parse(Balance.class, value, Balance::wireName);
  }

  @Override
  public String toString() {
    return wireName;
  }
}
