package dev.fulcrum.proxy.testing;

import dev.fulcrum.proxy.metrics.ProxyMetrics;

/** Reads fulcrum_admin_requests_total as a test wants it. */
public final class AdminRequests {
  private AdminRequests() {}

  /** Admin API requests answered so far with this method, whatever their status. */
  public static long count(ProxyMetrics metrics, String method) {
    return (long)
        metrics.registry().find("fulcrum.admin.requests").tag("method", method).counters().stream()
            .mapToDouble(c -> c.count())
            .sum();
  }
}
