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

  /** It left {@code spec.proxies} but could not be told to stop serving the load balancer yet. */
  public static final String ORPHANED = "Orphaned";

  private ProxyStates() {}

  static ProxyState of(
      String name, String endpoint, Observation o, PushResult push, String desiredVersion) {
    ProxyState p = new ProxyState();
    p.name = name;
    p.endpoint = endpoint;
    if (o == null) {
      p.state = PENDING;
      return p;
    }
    p.vipHolder = o.vipHeld();
    p.appliedVersion = o.appliedVersion();
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

  /** A proxy that left the spec and still serves the load balancer, as far as anyone knows. */
  static ProxyState orphan(Orphan o) {
    ProxyState p = new ProxyState();
    p.name = o.name();
    p.endpoint = o.endpoint();
    p.state = ORPHANED;
    p.message =
        "proxy "
            + o.name()
            + " ("
            + o.endpoint()
            + ") left spec.proxies but may still serve this load balancer and hold its VRRP"
            + " priority: "
            + o.error()
            + "; removal is retried";
    return p;
  }
}
