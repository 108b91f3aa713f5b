package dev.fulcrum.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** Paced rebalancing of long-lived connections after a server rejoins; off unless set. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.tolerancePercent) || (has(self.closesPerSecond) && self.closesPerSecond > 0)",
    message = "tolerancePercent has no effect unless closesPerSecond is above 0")
public class RebalanceSpec {
  @JsonPropertyDescription(
      "At most this many connections a second are closed on the busiest server so clients"
          + " reconnect to the others (0, the default, turns rebalancing off: the oldest"
          + " connections are often kubectl exec, logs -f and port-forwards).")
  @Min(0)
  @Max(1000)
  public Integer closesPerSecond;

  @JsonPropertyDescription(
      "No server is touched while every server's share of connections is within this percent of"
          + " even (default 15).")
  @Min(1)
  @Max(100)
  public Integer tolerancePercent;
}
