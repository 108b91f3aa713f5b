package dev.fulcrum.operator;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends leadership without deadlock: exits the JVM when the Lease is lost while running, and on a
 * requested stop hands the Lease over at once instead of letting it run out.
 */
public final class LeaseHandOver {
  private static final Logger log = LoggerFactory.getLogger(LeaseHandOver.class);

  private final AtomicBoolean stopping = new AtomicBoolean();
  private final String identity;

  public LeaseHandOver(String identity) {
    this.identity = identity;
  }

  public String identity() {
    return identity;
  }

  /**
   * Callbacks for JOSDK's leader elector. JOSDK's own exit-on-stop-leading calls {@code
   * System.exit} also when the operator is stopped from a shutdown hook, which deadlocks the JVM;
   * here a lost Lease exits from a fresh thread and a requested stop does not exit at all.
   */
  public LeaderCallbacks callbacks() {
    return new LeaderCallbacks(
        () -> log.info("leading as {}", identity),
        () -> {
          if (!stopping.get()) {
            log.error(
                "lost the leader Lease as {}; exiting so a fresh process can compete", identity);
            Thread exit = new Thread(() -> System.exit(1), "fulcrum-exit");
            exit.setDaemon(true);
            exit.start();
          }
        },
        leader -> log.info("leader is now {}", leader));
  }

  /** Marks the stop as requested, so losing the Lease from now on does not exit the JVM. */
  public void stopping() {
    stopping.set(true);
  }

  /**
   * Releases the Lease if this process still holds it: clears the holder and shortens the term to
   * one second, so the next candidate takes over on its next retry (as client-go's ReleaseOnCancel
   * does; JOSDK 5.2.3 does not offer that option). {@code leaseTransitions} is kept.
   */
  public void release(KubernetesClient client, String namespace, String name) {
    try {
      var lease = client.leases().inNamespace(namespace).withName(name);
      Lease current = lease.get();
      if (current == null
          || current.getSpec() == null
          || !Objects.equals(identity, current.getSpec().getHolderIdentity())) {
        return;
      }
      lease.edit(
          l -> {
            l.getSpec().setHolderIdentity(null);
            l.getSpec().setLeaseDurationSeconds(1);
            return l;
          });
      log.info("released the leader Lease {}/{} held as {}", namespace, name, identity);
    } catch (KubernetesClientException e) {
      log.warn(
          "could not release the leader Lease {}/{}; the next leader waits out its term: {}",
          namespace,
          name,
          e.getMessage());
    }
  }
}
