package dev.fulcrum.operator.desired;

import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec;
import dev.fulcrum.operator.crd.FrontendSpec;
import dev.fulcrum.operator.crd.HealthCheckSpec;
import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.crd.TimeoutsSpec;
import dev.fulcrum.proxy.api.AdmissionConfig;
import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.Balance;
import dev.fulcrum.proxy.api.ClientCertificate;
import dev.fulcrum.proxy.api.FrontendConfig;
import dev.fulcrum.proxy.api.HealthCheckConfig;
import dev.fulcrum.proxy.api.HealthCheckMode;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.api.RebalanceConfig;
import dev.fulcrum.proxy.api.TimeoutsConfig;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Copies the resource's spec into the wire record; the names are the same on both sides. */
public final class SpecMapping {
  private SpecMapping() {}

  /** The config for these backends, stamped with its content version and the epoch. */
  public static LoadBalancerConfig toConfig(
      ExternalLoadBalancerSpec spec, List<BackendConfig> backends, long epoch) {
    return toConfig(spec, backends, null, null, epoch);
  }

  /**
   * As above, with what comes from Secrets: the client certificate the health checks present
   * (spec.healthCheck.clientCertificateSecretRef) and the VRRP password
   * (spec.frontend.vrrpPasswordKey). Both are part of the version: a rotation is pushed.
   */
  public static LoadBalancerConfig toConfig(
      ExternalLoadBalancerSpec spec,
      List<BackendConfig> backends,
      ClientCertificate checkCertificate,
      String vrrpPassword,
      long epoch) {
    return unstamped(spec, backends, checkCertificate, vrrpPassword).stamped(epoch);
  }

  static LoadBalancerConfig unstamped(ExternalLoadBalancerSpec spec, List<BackendConfig> backends) {
    return unstamped(spec, backends, null, null);
  }

  private static LoadBalancerConfig unstamped(
      ExternalLoadBalancerSpec spec,
      List<BackendConfig> backends,
      ClientCertificate checkCertificate,
      String vrrpPassword) {
    return new LoadBalancerConfig(
        null,
        0L,
        frontend(spec.frontend, spec.proxies, vrrpPassword),
        spec.balance == null ? null : Balance.fromWire(spec.balance.name()),
        healthCheck(spec.healthCheck, checkCertificate),
        timeouts(spec.timeouts),
        backends,
        spec.maxConnections,
        spec.rebalance == null
            ? null
            : new RebalanceConfig(spec.rebalance.closesPerSecond, spec.rebalance.tolerancePercent),
        spec.admission == null
            ? null
            : new AdmissionConfig(
                spec.admission.newConnectionsPerSecond, spec.admission.dialsInFlight));
  }

  /** Every proxy gets the same priority map and picks its own entry, so versions stay equal. */
  private static FrontendConfig frontend(
      FrontendSpec f, List<ProxySpec> proxies, String vrrpPassword) {
    if (f == null) {
      return null;
    }
    Map<String, Integer> priorities = new TreeMap<>();
    if (proxies != null) {
      proxies.stream()
          .filter(p -> p != null && p.name != null && p.priority != null)
          .forEach(p -> priorities.put(p.name, p.priority));
    }
    return new FrontendConfig(
        f.port,
        f.bind,
        f.virtualIP,
        f.interfaceName,
        f.virtualRouterId,
        priorities,
        Boolean.TRUE.equals(f.unicast) ? unicastPeers(proxies) : null,
        f.preemptDelaySeconds,
        vrrpPassword);
  }

  /** Each proxy's VRRP address: its vrrpAddress, else the host of its endpoint. */
  static Map<String, String> unicastPeers(List<ProxySpec> proxies) {
    Map<String, String> peers = new TreeMap<>();
    if (proxies != null) {
      for (ProxySpec p : proxies) {
        if (p != null && p.name != null) {
          String address = vrrpAddress(p);
          if (address != null) {
            peers.put(p.name, address);
          }
        }
      }
    }
    return peers;
  }

  /** The proxy's VRRP address; null when neither vrrpAddress nor the endpoint gives one. */
  public static String vrrpAddress(ProxySpec p) {
    if (p.vrrpAddress != null && !p.vrrpAddress.isBlank()) {
      return p.vrrpAddress;
    }
    if (p.endpoint == null) {
      return null;
    }
    try {
      String host = java.net.URI.create(p.endpoint).getHost();
      if (host == null) {
        return null;
      }
      host = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
      return dev.fulcrum.proxy.api.ConfigValidator.isIpLiteral(host) ? host : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static HealthCheckConfig healthCheck(HealthCheckSpec h, ClientCertificate certificate) {
    if (h == null) {
      return null;
    }
    return new HealthCheckConfig(
        h.mode == null ? null : HealthCheckMode.fromWire(h.mode.name()),
        h.intervalSeconds,
        h.downIntervalSeconds,
        h.rise,
        h.fall,
        h.timeoutSeconds,
        h.path,
        h.expectStatus,
        certificate);
  }

  private static TimeoutsConfig timeouts(TimeoutsSpec t) {
    return t == null ? null : new TimeoutsConfig(t.connectSeconds, t.idleSeconds, t.drainSeconds);
  }
}
