package dev.fulcrum.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** How fast new clients reach each server: the reconnect-storm guard. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AdmissionSpec {
  @JsonPropertyDescription(
      "New connections a second to one server, spread evenly; clients over the pace wait on"
          + " their accepted connection, none is refused. 0 turns the rate off. Default 1000:"
          + " 10,000 reconnecting clients reach three servers in about 3.5 s.")
  @Min(0)
  @Max(1000000)
  public Integer newConnectionsPerSecond;

  @JsonPropertyDescription(
      "Connection attempts to one server at once (default 256); bounds how many clients wait on"
          + " a server whose accept queue is full.")
  @Min(1)
  @Max(100000)
  public Integer dialsInFlight;
}
