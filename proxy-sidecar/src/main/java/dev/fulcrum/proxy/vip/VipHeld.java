package dev.fulcrum.proxy.vip;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this host holds a VIP right now: one of them is assigned to a local interface in the
 * proxy's own network namespace (where keepalived puts it).
 */
public final class VipHeld implements Supplier<Boolean> {
  private static final Logger log = LoggerFactory.getLogger(VipHeld.class);

  private final Supplier<List<VirtualIp>> vips;

  /**
   * @param vips the VIPs of the applied load balancers, read on every call
   */
  public VipHeld(Supplier<List<VirtualIp>> vips) {
    this.vips = vips;
  }

  /**
   * True when a VIP is on a local interface, false when none is, null when no VIP is configured.
   */
  @Override
  public Boolean get() {
    List<VirtualIp> wanted = vips.get();
    if (wanted.isEmpty()) {
      return null;
    }
    Set<InetAddress> local = localAddresses();
    for (VirtualIp vip : wanted) {
      try {
        // A literal (the validator allows nothing else), so this never resolves a name.
        if (local.contains(InetAddress.getByName(vip.address()))) {
          return true;
        }
      } catch (UnknownHostException e) {
        log.warn("VIP {} is not an address literal: {}", vip.cidr(), e.getMessage());
      }
    }
    return false;
  }

  /** Exports {@code fulcrum_vip_held}: 1 while this host holds a VIP, else 0. */
  public VipHeld register(MeterRegistry registry) {
    Gauge.builder("fulcrum.vip.held", this, v -> Boolean.TRUE.equals(v.get()) ? 1 : 0)
        .description("1 while a VIP of an applied load balancer is on a local interface")
        .strongReference(true)
        .register(registry);
    return this;
  }

  private static Set<InetAddress> localAddresses() {
    Set<InetAddress> out = new HashSet<>();
    try {
      NetworkInterface.networkInterfaces().forEach(i -> i.inetAddresses().forEach(out::add));
    } catch (SocketException e) {
      log.warn("cannot list the local interfaces: {}", e.getMessage());
    }
    return out;
  }
}
