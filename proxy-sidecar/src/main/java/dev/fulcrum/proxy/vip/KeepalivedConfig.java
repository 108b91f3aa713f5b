package dev.fulcrum.proxy.vip;

import dev.fulcrum.proxy.api.ConfigValidator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Renders keepalived.conf for this proxy: one VRRP instance per distinct VIP, all starting as
 * BACKUP so the highest live priority wins (and wins back, by preemption), each tracking the
 * proxy's readiness for that VIP alone.
 */
public final class KeepalivedConfig {
  // An address keepalived.conf and the track script's argument can carry as they are.
  private static final Pattern ADDRESS = Pattern.compile("[0-9A-Fa-f.:]{2,45}");

  /** keepalived's own default, used when the resource lists no priority for this proxy. */
  static final int DEFAULT_PRIORITY = 100;

  private KeepalivedConfig() {}

  /**
   * The full file for {@code vips}; with none, a file without instances (so a keepalived that held
   * a since-removed VIP lets it go on reload).
   *
   * @param proxyName this proxy's {@code name}, which picks its entry in each priorities map
   * @param checkCommand what the track script runs; exits 0 when the proxy is ready
   */
  public static String render(String proxyName, String checkCommand, List<VirtualIp> vips) {
    StringBuilder out = new StringBuilder();
    out.append(
        "# Written by fulcrum-proxy; it is rewritten whenever the applied config changes.\n");
    out.append("global_defs {\n");
    out.append("  script_user root\n");
    out.append("  enable_script_security\n");
    out.append("}\n");
    if (vips.isEmpty()) {
      out.append("# No applied load balancer has a virtualIP.\n");
      return out.toString();
    }
    checkRouterIds(vips);
    for (VirtualIp vip : vips) {
      if (!ConfigValidator.isInterfaceName(vip.interfaceName())) {
        throw new IllegalArgumentException(
            "interface \"" + vip.interfaceName() + "\" of " + vip.cidr() + " is not a plain name");
      }
      if (!ADDRESS.matcher(vip.address()).matches()) {
        throw new IllegalArgumentException("VIP \"" + vip.cidr() + "\" is not a plain address");
      }
      int priority = vip.priorityOf(proxyName).orElse(DEFAULT_PRIORITY);
      out.append("\n# ").append(String.join(", ", vip.loadBalancerIds())).append('\n');
      // This VIP's own readiness: another resource's trouble never moves it. Two misses a second
      // apart release the VIP; two successes take it back.
      out.append("vrrp_script ").append(scriptName(vip)).append(" {\n");
      out.append("  script \"").append(checkCommand).append(' ').append(vip.address());
      out.append("\"\n");
      out.append("  interval 1\n  timeout 2\n  fall 2\n  rise 2\n}\n");
      out.append("vrrp_instance ").append(instanceName(vip)).append(" {\n");
      out.append("  state BACKUP\n");
      out.append("  interface ").append(vip.interfaceName()).append('\n');
      out.append("  virtual_router_id ").append(vip.virtualRouterId()).append('\n');
      out.append("  priority ").append(priority).append('\n');
      out.append("  advert_int 1\n");
      if (vip.preemptDelaySeconds() != null && vip.preemptDelaySeconds() > 0) {
        out.append("  preempt_delay ").append(vip.preemptDelaySeconds()).append('\n');
      }
      if (vip.vrrpPassword() != null) {
        if (!ConfigValidator.isVrrpPassword(vip.vrrpPassword())) {
          throw new IllegalArgumentException(
              "the VRRP password of " + vip.cidr() + " " + ConfigValidator.VRRP_PASSWORD_RULE);
        }
        // Sent in clear in every advertisement (VRRPv2): it keeps another VRRP group on the
        // segment out by mistake, it is no defence against an attacker on it.
        out.append("  authentication {\n    auth_type PASS\n    auth_pass ");
        out.append(vip.vrrpPassword()).append("\n  }\n");
      }
      java.util.Optional<String> source = vip.unicastSourceOf(proxyName);
      if (source.isPresent()) {
        // Where multicast does not pass: advertisements go to each peer, from this host.
        out.append("  unicast_src_ip ").append(plainAddress(source.get())).append('\n');
        out.append("  unicast_peer {\n");
        for (String peer : vip.unicastPeersOf(proxyName)) {
          out.append("    ").append(plainAddress(peer)).append('\n');
        }
        out.append("  }\n");
      }
      out.append("  virtual_ipaddress {\n    ").append(vip.cidr()).append("\n  }\n");
      out.append("  track_script {\n    ").append(scriptName(vip)).append("\n  }\n");
      out.append("}\n");
    }
    return out.toString();
  }

  // keepalived refuses two instances with one router id on one interface; say which ones clash.
  private static void checkRouterIds(List<VirtualIp> vips) {
    java.util.Map<String, VirtualIp> seen = new java.util.HashMap<>();
    for (VirtualIp vip : vips) {
      VirtualIp other = seen.putIfAbsent(vip.interfaceName() + "/" + vip.virtualRouterId(), vip);
      if (other != null) {
        throw new IllegalArgumentException(
            "virtualRouterId "
                + vip.virtualRouterId()
                + " on "
                + vip.interfaceName()
                + " is used by two VIPs: "
                + other.cidr()
                + " "
                + other.loadBalancerIds()
                + " and "
                + vip.cidr()
                + " "
                + vip.loadBalancerIds());
      }
    }
  }

  private static String plainAddress(String address) {
    if (!ADDRESS.matcher(address).matches()) {
      throw new IllegalArgumentException("\"" + address + "\" is not a plain address");
    }
    return address;
  }

  /** The track script of one VIP's instance, e.g. {@code fulcrum_51_10_10_10_100_ready}. */
  static String scriptName(VirtualIp vip) {
    return instanceName(vip) + "_ready";
  }

  /** e.g. {@code fulcrum_51_10_10_10_100}: unique per VIP, stable across renders. */
  static String instanceName(VirtualIp vip) {
    return "fulcrum_" + vip.virtualRouterId() + "_" + vip.address().replaceAll("[^A-Za-z0-9]", "_");
  }
}
