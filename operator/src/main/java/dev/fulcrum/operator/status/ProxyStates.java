package dev.fulcrum.operator.status;

import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus.ProxyState;
import dev.fulcrum.operator.push.Observation;
import dev.fulcrum.operator.push.PushResult;

/** One proxy's status entry from what it answered and what the last push did. */
public final class ProxyStates {
  public static final String SYNCED = "Synced";
  public static final String PENDING = "Pending";
  public static final String UNREACHABLE = "Unreachable";
  public static final String REFUSED = "Refused";

  /** The proxy answered with a 5xx: it is reachable but could not apply (e.g. a full disk). */
  public static final String FAILED = "Failed";

  private ProxyStates() {}

  static ProxyState of(String name, Observation o, PushResult push, String desiredVersion) {
    ProxyState p = new ProxyState();
    p.name = name;
    if (o == null) {
      p.state = PENDING;
      return p;
    }
    p.vipHolder = o.vipHeld();
    p.appliedVersion = o.appliedVersion();
    p.activeConnections = o.loadBalancer() == null ? null : o.loadBalancer().activeConnections();
    if (!o.reachable()) {
      p.state = UNREACHABLE;
      p.message = o.error();
    } else if (push != null && !push.ok()) {
      p.state = push.refused() ? REFUSED : push.status() >= 500 ? FAILED : UNREACHABLE;
      p.message = push.error();
    } else if (desiredVersion != null && desiredVersion.equals(p.appliedVersion)) {
      p.state = SYNCED;
    } else {
      p.state = PENDING;
    }
    return p;
  }
}
