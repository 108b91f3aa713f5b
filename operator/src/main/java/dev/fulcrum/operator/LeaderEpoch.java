package dev.fulcrum.operator;

import dev.fulcrum.operator.push.EpochSource;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fencing token of a leader: the wall-clock millisecond of its first reconcile (an operator
 * reconciles only while it leads, so that is when it began to lead), raised past any fence a proxy
 * reports while it still holds the Lease.
 *
 * <p>It never resets: nothing in the cluster stores it, so re-creating the Lease or the namespace,
 * reinstalling the chart, restoring etcd or running without leader election cannot take it back to
 * 0. It rises with each takeover: a later leader started leading later, so its pushes fence the
 * earlier one out. Clocks only make that the usual case, not a condition of safety: a leader whose
 * clock is behind (or whose predecessor's token was raised) meets a fence above its token, checks
 * that it still holds the Lease, and raises its token past the fence. A deposed leader, paused and
 * resumed, finds another holder in the Lease and raises nothing, so its late pushes stay refused.
 */
public final class LeaderEpoch implements EpochSource {
  private static final Logger log = LoggerFactory.getLogger(LeaderEpoch.class);

  private final Clock clock;
  private final BooleanSupplier leads;
  private volatile long epoch; // 0 until the first reconcile asks

  /**
   * @param leads whether this process holds the leader Lease now (a fresh read, not a cache)
   */
  public LeaderEpoch(Clock clock, BooleanSupplier leads) {
    this.clock = clock;
    this.leads = leads;
  }

  /** Without leader election there is one operator: it always leads. */
  public static LeaderEpoch single(Clock clock) {
    return new LeaderEpoch(clock, () -> true);
  }

  /** The token of a leader-elected operator that holds the Lease under {@code identity}. */
  public static LeaderEpoch leased(
      KubernetesClient client, String namespace, String name, String identity, Clock clock) {
    return new LeaderEpoch(
        clock,
        () -> {
          try {
            Lease lease = client.leases().inNamespace(namespace).withName(name).get();
            return lease != null
                && lease.getSpec() != null
                && Objects.equals(identity, lease.getSpec().getHolderIdentity());
          } catch (KubernetesClientException e) {
            log.warn("cannot read the leader Lease {}/{}: {}", namespace, name, e.getMessage());
            return false;
          }
        });
  }

  @Override
  public long current() {
    long e = epoch;
    return e != 0 ? e : first();
  }

  private synchronized long first() {
    if (epoch == 0) {
      epoch = Math.max(1, clock.millis());
      log.info("leading with epoch {}", epoch);
    }
    return epoch;
  }

  @Override
  public synchronized boolean raisePast(long fence) {
    if (current() > fence) {
      return true;
    }
    if (!leads.getAsBoolean()) {
      log.warn(
          "a proxy fences at epoch {}, above this operator's {}, and this operator does not hold"
              + " the leader Lease: its pushes stay refused",
          fence,
          epoch);
      return false;
    }
    log.warn(
        "a proxy fences at epoch {}, above this leader's {} (the clock of an earlier leader was"
            + " ahead, or a proxy was pushed by another installation with the same namespace and"
            + " name): raising the epoch to {}",
        fence,
        epoch,
        fence + 1);
    epoch = fence + 1;
    return true;
  }
}
