package dev.fulcrum.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Connection timeouts on the proxies. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TimeoutsSpec {
  @Min(1)
  @Max(300)
  public Integer connectSeconds;

  @Min(1)
  @Max(604800)
  public Integer idleSeconds;

  @Min(0)
  @Max(3600)
  public Integer drainSeconds;
}
