package dev.fulcrum.proxy.net;

import dev.fulcrum.proxy.balance.Backend;
import dev.fulcrum.proxy.balance.BackendPool;
import dev.fulcrum.proxy.balance.DialPace;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One client's way through the backends until one answers, the same on both data planes: pick one
 * not tried yet, hold its dial slot, go elsewhere when the backend changed while the client waited
 * in line, and count a failed dial against the backend. Confined to the client's event loop.
 */
public final class Failover {
  private final BackendPool pool;
  private final InetAddress client; // for source hashing; null where the balancer ignores it
  private final List<Backend> tried = new ArrayList<>(2);
  private DialPace slot; // the pace whose in-flight slot this dial holds

  public Failover(BackendPool pool, InetAddress client) {
    this.pool = pool;
    this.client = client;
  }

  /** The next backend to dial, one not tried yet; null when none is left. */
  public Backend next() {
    Backend b = pool.pick(client, tried::contains);
    if (b != null) {
      tried.add(b);
    }
    return b;
  }

  /** Why the client is closed when {@link #next()} found nothing. */
  public String noBackend(String lastFailure) {
    return (tried.isEmpty()
            ? "no backend is configured"
            : "no backend accepted (" + tried.size() + " tried)")
        + (lastFailure == null ? "" : "; last: " + lastFailure);
  }

  /**
   * Whether a leg whose turn came should go elsewhere: its backend was closed, removed, or went
   * down (with another still up) while the client waited.
   */
  public boolean goElsewhere(BackendLeg leg) {
    Backend b = leg.backend();
    return leg.abandoned() || b.draining() || (!b.isUp() && pool.upBesides(b, tried::contains));
  }

  /** The dial holds one in-flight slot of {@code pace} until {@link #releaseSlot()}. */
  public void holding(DialPace pace) {
    slot = pace;
  }

  /** Gives the held slot back; idempotent. */
  public void releaseSlot() {
    if (slot != null) {
      DialPace s = slot;
      slot = null;
      s.dialDone();
    }
  }

  /** A dial to {@code backend} failed: passive health counts it. */
  public void dialFailed(Backend backend, String why) {
    PassiveHealth.dialFailed(backend, pool.config(), "connect failed: " + why);
  }
}
