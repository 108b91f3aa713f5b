package dev.fulcrum.operator.testing;

import dev.fulcrum.proxy.ConflictException;
import dev.fulcrum.proxy.ProxyEngine;
import dev.fulcrum.proxy.api.ErrorResponse;
import dev.fulcrum.proxy.api.InvalidConfigException;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import java.util.Map;

/** Maps the admin protocol onto a real {@link ProxyEngine}, which validates, fences and serves. */
public final class EngineState implements AdminState {
  private final ProxyEngine engine;

  public EngineState(ProxyEngine engine) {
    this.engine = engine;
  }

  @Override
  public Reply put(String id, LoadBalancerConfig body) {
    try {
      return new Reply(200, engine.apply(id, body, null));
    } catch (InvalidConfigException e) {
      return new Reply(422, ErrorResponse.of(e.getMessage()));
    } catch (ConflictException e) {
      return new Reply(409, new ErrorResponse(e.getMessage(), e.appliedVersion(), e.epoch()));
    }
  }

  @Override
  public Reply get(String id) {
    return engine
        .status(id)
        .map(s -> new Reply(200, s))
        .orElseGet(() -> new Reply(404, ErrorResponse.of("no load balancer " + id)));
  }

  @Override
  public Reply delete(String id) {
    return new Reply(engine.delete(id) ? 200 : 404, Map.of());
  }

  @Override
  public Reply status() {
    return new Reply(200, engine.status((Boolean) null));
  }
}
