package dev.fulcrum.proxy.api;

import java.util.Comparator;
import java.util.List;

/**
 * The full desired state of one load balancer: the body of a PUT, the unit the proxy persists.
 *
 * <p>Canonical on construction: defaults are filled in (here and in each part), the backends are
 * sorted and the lists copied, so equal content is an equal value with an equal {@link
 * #contentVersion()} whoever built it, and no reader meets a null where a default exists. What has
 * no default (a frontend's port, a backend's fields) stays as given, for {@link ConfigValidator} to
 * name.
 *
 * @param version {@code sha256:<hex>} of the canonical content; computed by the proxy when absent
 * @param epoch the pushing leader's Lease transitions; pushes below the highest seen are refused;
 *     default 0
 * @param maxConnections concurrent client connections this frontend accepts
 * @param rebalance paced closing of connections after a backend rejoins
 * @param admission how fast new connections reach each backend
 */
public record LoadBalancerConfig(
    String version,
    Long epoch,
    FrontendConfig frontend,
    Balance balance,
    HealthCheckConfig healthCheck,
    TimeoutsConfig timeouts,
    List<BackendConfig> backends,
    Integer maxConnections,
    RebalanceConfig rebalance,
    AdmissionConfig admission) {

  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

  private static final Comparator<BackendConfig> BACKEND_ORDER =
      Comparator.comparing(BackendConfig::address, Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparingInt(BackendConfig::port)
          .thenComparing(BackendConfig::name, Comparator.nullsFirst(Comparator.naturalOrder()));

  public LoadBalancerConfig {
    epoch = epoch == null ? 0L : epoch;
    frontend = frontend == null ? new FrontendConfig(null, null, null, null, null) : frontend;
    balance = balance == null ? Balance.LEAST_CONNECTIONS : balance;
    healthCheck = healthCheck == null ? HealthCheckConfig.DEFAULTS : healthCheck;
    timeouts = timeouts == null ? TimeoutsConfig.DEFAULTS : timeouts;
    // Stream.toList keeps a null entry, which the validator names (backends[i]: must not be null).
    backends =
        backends == null
            ? List.of()
            : backends.stream().sorted(Comparator.nullsFirst(BACKEND_ORDER)).toList();
    maxConnections = maxConnections == null ? DEFAULT_MAX_CONNECTIONS : maxConnections;
    rebalance = rebalance == null ? RebalanceConfig.DEFAULTS : rebalance;
    admission = admission == null ? AdmissionConfig.DEFAULTS : admission;
  }

  /** The content hash, ignoring version and epoch. */
  public String contentVersion() {
    return WireJson.contentVersion(withVersion(null, 0L));
  }

  /**
   * This config stamped with its content version and the given epoch: hashed once, the snapshot a
   * proxy serves and persists.
   */
  public LoadBalancerConfig stamped(long newEpoch) {
    return withVersion(contentVersion(), newEpoch);
  }

  public LoadBalancerConfig withVersion(String newVersion, long newEpoch) {
    return new LoadBalancerConfig(
        newVersion,
        newEpoch,
        frontend,
        balance,
        healthCheck,
        timeouts,
        backends,
        maxConnections,
        rebalance,
        admission);
  }
}
