package dev.fulcrum.operator.push;

import java.time.Duration;

/** What pushing records for the operator's metrics; the telemetry package implements it. */
public interface PushMetrics {
  /** One push to one proxy answered (ok) or refused or failed, and how long it took. */
  void pushed(String loadBalancerId, String proxy, boolean ok, Duration took);

  /** How many of a load balancer's proxies serve its desired version. */
  void proxiesSynced(String loadBalancerId, int count);

  /** A load balancer is gone: its series go too. */
  void forget(String loadBalancerId);
}
