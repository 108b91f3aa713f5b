package dev.fulcrum.proxy.vip;

import dev.fulcrum.proxy.api.FrontendConfig;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One distinct virtual IP of the applied load balancers, with the VRRP settings of the first load
 * balancer (by id) that names it; several frontends (e.g. 6443 and 9345) may share one VIP.
 *
 * @param cidr the VIP with its prefix, e.g. {@code 10.10.10.100/24}
 * @param loadBalancerIds the load balancers served on this VIP, sorted
 */
public record VirtualIp(
    String cidr,
    String interfaceName,
    int virtualRouterId,
    Map<String, Integer> priorities,
    List<String> loadBalancerIds,
    Map<String, String> unicastPeers,
    Integer preemptDelaySeconds,
    String vrrpPassword) {

  /** A VIP without VRRP authentication. */
  public VirtualIp(
      String cidr,
      String interfaceName,
      int virtualRouterId,
      Map<String, Integer> priorities,
      List<String> loadBalancerIds,
      Map<String, String> unicastPeers,
      Integer preemptDelaySeconds) {
    this(
        cidr,
        interfaceName,
        virtualRouterId,
        priorities,
        loadBalancerIds,
        unicastPeers,
        preemptDelaySeconds,
        null);
  }

  @Override
  public String toString() {
    return "VirtualIp[" + cidr + " on " + interfaceName + ", router id " + virtualRouterId + "]";
  }

  /** A multicast VIP that preempts at once. */
  public VirtualIp(
      String cidr,
      String interfaceName,
      int virtualRouterId,
      Map<String, Integer> priorities,
      List<String> loadBalancerIds) {
    this(cidr, interfaceName, virtualRouterId, priorities, loadBalancerIds, Map.of(), null);
  }

  /** This proxy's own unicast address, or empty for multicast (or a proxy missing from the map). */
  public java.util.Optional<String> unicastSourceOf(String proxyName) {
    return java.util.Optional.ofNullable(unicastPeers == null ? null : unicastPeers.get(proxyName));
  }

  /** The other proxies' unicast addresses, sorted by proxy name. */
  public List<String> unicastPeersOf(String proxyName) {
    if (unicastPeers == null || !unicastPeers.containsKey(proxyName)) {
      return List.of();
    }
    return new TreeMap<>(unicastPeers)
        .entrySet().stream()
            .filter(e -> !e.getKey().equals(proxyName))
            .map(Map.Entry::getValue)
            .toList();
  }

  /** The address part of {@link #cidr()}. */
  public String address() {
    return cidr.substring(0, cidr.indexOf('/'));
  }

  /** This proxy's VRRP priority, or empty when the resource lists no priority for it. */
  public java.util.OptionalInt priorityOf(String proxyName) {
    Integer p = priorities == null ? null : priorities.get(proxyName);
    return p == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(p);
  }

  /** The distinct VIPs of {@code configs} (keyed by load balancer id), in order of address. */
  public static List<VirtualIp> of(Map<String, LoadBalancerConfig> configs) {
    Map<String, VirtualIp> byCidr = new TreeMap<>();
    Map<String, List<String>> ids = new LinkedHashMap<>();
    new TreeMap<>(configs)
        .forEach(
            (id, config) -> {
              FrontendConfig f = config.frontend();
              if (f == null || f.virtualIP() == null) {
                return;
              }
              byCidr.putIfAbsent(
                  f.virtualIP(),
                  new VirtualIp(
                      f.virtualIP(),
                      f.interfaceName(),
                      f.virtualRouterId() == null ? 0 : f.virtualRouterId(),
                      f.priorities() == null ? Map.of() : f.priorities(),
                      List.of(),
                      f.unicastPeers() == null ? Map.of() : f.unicastPeers(),
                      f.preemptDelaySeconds(),
                      f.vrrpPassword()));
              ids.computeIfAbsent(f.virtualIP(), k -> new ArrayList<>()).add(id);
            });
    List<VirtualIp> out = new ArrayList<>();
    byCidr.forEach(
        (cidr, v) ->
            out.add(
                new VirtualIp(
                    cidr,
                    v.interfaceName(),
                    v.virtualRouterId(),
                    v.priorities(),
                    List.copyOf(ids.get(cidr)),
                    v.unicastPeers(),
                    v.preemptDelaySeconds(),
                    v.vrrpPassword())));
    return out;
  }
}
