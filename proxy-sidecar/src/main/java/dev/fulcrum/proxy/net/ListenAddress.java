package dev.fulcrum.proxy.net;

import dev.fulcrum.proxy.api.ConfigValidator;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.util.EnumSet;
import java.util.Set;

/**
 * Where a frontend listens: an address and port, and for the IPv6 wildcard whether IPv4 clients are
 * served too.
 *
 * <p>The wildcard {@code ::} is dual-stack: it serves IPv6 and IPv4. A frontend with a virtual IP
 * narrows it to the VIP's family ({@code 0.0.0.0} for an IPv4 VIP, {@code ::} IPv6-only for an IPv6
 * one), so an IPv4 and an IPv6 load balancer can share a port on one host. {@code 0.0.0.0} is IPv4
 * only; a specific address is that address only.
 *
 * @param address the socket address to bind
 * @param v6Only for {@code ::}: IPv6 clients only (IPV6_V6ONLY)
 */
public record ListenAddress(InetSocketAddress address, boolean v6Only) {

  public enum Family {
    IPV4,
    IPV6
  }

  private static final String ANY4 = "0.0.0.0";
  private static final String ANY6 = "::";

  /**
   * The listen address of a frontend.
   *
   * @param bind the frontend's bind address (an IP literal)
   * @param virtualIP the frontend's VIP in CIDR form, or null
   * @param hostHasIpv6 whether this host can open IPv6 sockets; without, {@code ::} means {@code
   *     0.0.0.0}
   */
  public static ListenAddress resolve(
      String bind, int port, String virtualIP, boolean hostHasIpv6) {
    if (!ConfigValidator.isWildcard(bind)) {
      return new ListenAddress(new InetSocketAddress(bind, port), isIpv6(bind));
    }
    if (bind.equals(ANY4) || !hostHasIpv6) {
      return new ListenAddress(new InetSocketAddress(ANY4, port), false);
    }
    if (virtualIP == null) {
      return new ListenAddress(new InetSocketAddress(ANY6, port), false);
    }
    return isIpv6(vipAddress(virtualIP))
        ? new ListenAddress(new InetSocketAddress(ANY6, port), true)
        : new ListenAddress(new InetSocketAddress(ANY4, port), false);
  }

  /** Whether this host can open an IPv6 listening socket (IPv6 may be disabled in the kernel). */
  public static boolean hostHasIpv6() {
    try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  public int port() {
    return address.getPort();
  }

  public boolean wildcard() {
    return address.getAddress().isAnyLocalAddress();
  }

  /** The address families whose clients this listener accepts. */
  public Set<Family> families() {
    boolean six = isIpv6(host());
    if (!six) {
      return EnumSet.of(Family.IPV4);
    }
    return wildcard() && !v6Only ? EnumSet.allOf(Family.class) : EnumSet.of(Family.IPV6);
  }

  /**
   * Whether two listeners would take the same connections, so the kernel refuses the second: same
   * port, and either the same address or a wildcard covering the other's family.
   */
  public boolean overlaps(ListenAddress other) {
    if (port() != other.port()) {
      return false;
    }
    if (!wildcard() && !other.wildcard()) {
      return address.getAddress().equals(other.address.getAddress());
    }
    Set<Family> common = families();
    common.retainAll(other.families());
    return !common.isEmpty();
  }

  /** The host part as written for humans: {@code ::}, {@code 0.0.0.0}, {@code fd00::1}. */
  public String host() {
    return NetUtil.toAddressString(address.getAddress());
  }

  @Override
  public String toString() {
    String host = host();
    String text = (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    if (!wildcard() || !isIpv6(host)) {
      return text;
    }
    return text + (v6Only ? " (IPv6 only)" : " (IPv6 and IPv4)");
  }

  private static boolean isIpv6(String literal) {
    return literal.contains(":");
  }

  private static String vipAddress(String cidr) {
    int slash = cidr.indexOf('/');
    return slash < 0 ? cidr : cidr.substring(0, slash);
  }
}
