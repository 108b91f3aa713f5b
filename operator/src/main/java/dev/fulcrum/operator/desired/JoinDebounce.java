package dev.fulcrum.operator.desired;

import dev.fulcrum.proxy.api.BackendConfig;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Holds back pushes that only add servers until the set has been stable for a moment, so a server
 * flapping on boot causes one push; a server leaving is never held back.
 */
public final class JoinDebounce {
  private record Pending(String version, long sinceNanos) {}

  private final Duration quiet;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();

  public JoinDebounce(Duration quiet) {
    this.quiet = quiet;
  }

  /**
   * How long the push of {@code desired} must still wait, zero when it may go now.
   *
   * @param served the endpoints one proxy serves now (empty when it serves nothing); each proxy is
   *     asked on its own, and a wait that began for one version is shared by all of them
   */
  public Duration delay(
      String id, Set<String> served, Collection<BackendConfig> desired, String version, long now) {
    Set<String> want = desired.stream().map(BackendConfig::endpoint).collect(Collectors.toSet());
    boolean removes = !want.containsAll(served);
    boolean adds = !served.containsAll(want);
    if (served.isEmpty() || removes || !adds) {
      if (removes) {
        pending.remove(id); // a server leaving: its return, even to the same set, waits anew
      }
      return Duration.ZERO; // a proxy with nothing yet, a server leaving, or nothing to add
    }
    Pending p =
        pending.compute(
            id,
            (k, old) ->
                old != null && old.version.equals(version) ? old : new Pending(version, now));
    // Once over, the wait stays over for this version, so every proxy asked after the first (in
    // the same round or a later one) pushes it too, instead of starting a wait of its own.
    Duration left = quiet.minusNanos(now - p.sinceNanos);
    return left.isNegative() ? Duration.ZERO : left;
  }

  public void forget(String id) {
    pending.remove(id);
  }
}
