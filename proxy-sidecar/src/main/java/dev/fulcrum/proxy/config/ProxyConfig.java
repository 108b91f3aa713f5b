package dev.fulcrum.proxy.config;

import dev.fulcrum.proxy.api.AdmissionConfig;
import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.Balance;
import dev.fulcrum.proxy.api.FrontendConfig;
import dev.fulcrum.proxy.api.HealthCheckConfig;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.api.RebalanceConfig;
import dev.fulcrum.proxy.api.TimeoutsConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The proxy's {@code proxy.yaml}: who it is, where its admin and telemetry ports listen, where it
 * keeps state, and optionally static load balancers for running without an operator.
 *
 * @param frontendBind the host's bind address for every frontend (overrides {@code frontend.bind})
 * @param workerThreads data-plane event loops; 0 means one per core
 * @param transport the kernel I/O mechanism: io_uring (default: the direct data plane, one object
 *     per connection on the ring), epoll or nio (Netty's channels). One the kernel or a container's
 *     seccomp profile does not allow falls back to epoll, then nio, logged
 * @param keepalived where to hand keepalived the VIPs' VRRP instances; null means not at all
 * @param shutdownDelaySeconds on SIGTERM, how long /readyz fails while the proxy still serves, so
 *     keepalived moves the VIP before the listeners close (default 5)
 * @param drainSeconds then, how long established connections may finish before they are closed and
 *     the process exits (default 25)
 */
public record ProxyConfig(
    String name,
    Admin admin,
    Telemetry telemetry,
    String stateDir,
    String frontendBind,
    Integer workerThreads,
    String transport,
    List<StaticLoadBalancer> loadBalancers,
    Keepalived keepalived,
    Integer shutdownDelaySeconds,
    Integer drainSeconds) {

  public static final int DEFAULT_SHUTDOWN_DELAY_SECONDS = 5;
  public static final int DEFAULT_DRAIN_SECONDS = 25;

  public Duration shutdownDelay() {
    return Duration.ofSeconds(
        shutdownDelaySeconds == null ? DEFAULT_SHUTDOWN_DELAY_SECONDS : shutdownDelaySeconds);
  }

  public Duration drain() {
    return Duration.ofSeconds(drainSeconds == null ? DEFAULT_DRAIN_SECONDS : drainSeconds);
  }

  /**
   * The admin API (HTTPS, bearer token).
   *
   * @param certFile PEM certificate; with keyFile absent, one is generated into the state dir
   * @param clientCaFile when set, clients must present a certificate signed by this CA (mTLS)
   */
  public record Admin(
      String listen, String certFile, String keyFile, String clientCaFile, String tokenFile) {}

  /** fulcrum-keepalived.service's --result: its RuntimeDirectory, readable by the proxy. */
  public static final String DEFAULT_RESULT_FILE = "/run/fulcrum-keepalived/result.json";

  /** The plain-HTTP telemetry port: /metrics, /healthz, /readyz. */
  public record Telemetry(String listen) {}

  /**
   * keepalived on this lb host: the proxy hands it the VRRP instances as data, and root's
   * fulcrum-keepalived (deploy/systemd/) renders keepalived.conf from them.
   *
   * @param instancesFile where the proxy writes the instances (in its state directory)
   * @param readyzUrl what each instance's track script asks; default the telemetry listener's
   *     /readyz
   * @param resultFile where fulcrum-keepalived says what became of the instances; default {@link
   *     #DEFAULT_RESULT_FILE}
   * @param configPath no longer read: the proxy once wrote keepalived.conf itself; refused with the
   *     way to move on
   * @param pidFile as configPath
   * @param reloadCommand as configPath
   */
  public record Keepalived(
      String instancesFile,
      String readyzUrl,
      String resultFile,
      String configPath,
      String pidFile,
      String reloadCommand) {}

  /** A load balancer served from the file, with the wire format's fields plus its id. */
  public record StaticLoadBalancer(
      String id,
      FrontendConfig frontend,
      Balance balance,
      HealthCheckConfig healthCheck,
      TimeoutsConfig timeouts,
      List<BackendConfig> backends,
      Integer maxConnections,
      RebalanceConfig rebalance,
      AdmissionConfig admission) {

    public LoadBalancerConfig toConfig(long epoch) {
      return new LoadBalancerConfig(
          null,
          epoch,
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

  public Path stateDirPath() {
    return Path.of(stateDir);
  }

  public List<StaticLoadBalancer> staticLoadBalancers() {
    return loadBalancers == null ? List.of() : loadBalancers;
  }

  /** Parses {@code host:port} or {@code [v6]:port}. */
  public static InetSocketAddress parseListen(String listen) {
    int colon = listen.lastIndexOf(':');
    if (colon <= 0 || colon == listen.length() - 1) {
      throw new IllegalArgumentException("\"" + listen + "\" is not host:port");
    }
    String host = listen.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(listen.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + listen + "\" has no numeric port");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("\"" + listen + "\": port must be 0-65535");
    }
    return new InetSocketAddress(host, port);
  }
}
