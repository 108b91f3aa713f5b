package dev.fulcrum.operator.testing;

import dev.fulcrum.proxy.api.LoadBalancerConfig;

/** What sits behind a test admin API: an in-memory map, or a real ProxyEngine. */
public interface AdminState {
  /** An HTTP status and the JSON body to send. */
  record Reply(int status, Object body) {}

  Reply put(String id, LoadBalancerConfig body);

  Reply get(String id);

  Reply delete(String id);

  Reply status();
}
