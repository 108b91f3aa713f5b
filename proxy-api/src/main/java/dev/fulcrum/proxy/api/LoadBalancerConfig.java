package dev.fulcrum.proxy.api;

import java.util.Comparator;
import java.util.List;

/**
 * The full desired state of one load balancer: the body of a PUT, the unit the proxy persists.
 *
 * <p>{@link #normalized()} fills defaults and sorts the backends, so equal content has equal {@link
 * #contentVersion()} whoever computed it.
 *
 * @param version {@code sha256:<hex>} of the canonical content; computed by the proxy when absent
 * @param epoch the pushing leader's Lease transitions; pushes below the highest seen are refused
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

  /** Defaults filled in, backends sorted; version and epoch are kept as they are. */
  public LoadBalancerConfig normalized() {
    List<BackendConfig> sorted =
        backends == null ? List.of() : backends.stream().sorted(BACKEND_ORDER).toList();
    return new LoadBalancerConfig(
        version,
        epoch == null ? 0L : epoch,
        (frontend == null ? new FrontendConfig(null, null, null, null, null) : frontend)
            .withDefaults(),
        balance == null ? Balance.LEAST_CONNECTIONS : balance,
        (healthCheck == null ? HealthCheckConfig.DEFAULTS : healthCheck).withDefaults(),
        (timeouts == null ? TimeoutsConfig.DEFAULTS : timeouts).withDefaults(),
        sorted,
        maxConnections == null ? DEFAULT_MAX_CONNECTIONS : maxConnections,
        (rebalance == null ? RebalanceConfig.DEFAULTS : rebalance).withDefaults(),
        (admission == null ? AdmissionConfig.DEFAULTS : admission).withDefaults());
  }

  /** The content hash of the normalized content, ignoring version and epoch. */
  public String contentVersion() {
    return WireJson.contentVersion(normalized().withVersion(null, 0L));
  }

  /**
   * This config, normalized and stamped with its content version and the given epoch: normalized
   * once and hashed once, the snapshot a proxy serves and persists.
   */
  public LoadBalancerConfig stamped(long newEpoch) {
    LoadBalancerConfig n = normalized();
    return n.withVersion(WireJson.contentVersion(n.withVersion(null, 0L)), newEpoch);
  }

  public LoadBalancerConfig withVersion(String newVersion, Long newEpoch) {
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
