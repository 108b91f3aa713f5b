package dev.fulcrum.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Connection timeouts on the proxies. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TimeoutsSpec {
  @JsonPropertyDescription(
      "How long a proxy waits for a server to accept a connection before trying another (default 5).")
  @Min(1)
  @Max(300)
  public Integer connectSeconds;

  @JsonPropertyDescription(
      "A connection with no bytes either way for this long is closed (default 3600; watches send bookmarks well within it).")
  @Min(1)
  @Max(604800)
  public Integer idleSeconds;

  @JsonPropertyDescription(
      "How long connections to a server that left the set may finish before they are closed (default 30).")
  @Min(0)
  @Max(3600)
  public Integer drainSeconds;
}
