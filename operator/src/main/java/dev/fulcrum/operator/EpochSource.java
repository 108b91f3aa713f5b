package dev.fulcrum.operator;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The epoch stamped on every push: the leader Lease's transitions, so a deposed leader is fenced.
 */
@FunctionalInterface
public interface EpochSource {
  long current();

  /** Without leader election there is one operator, and epoch 0. */
  static EpochSource none() {
    return () -> 0L;
  }

  /** Reads {@code leaseTransitions} of the leader-election Lease. */
  static EpochSource lease(KubernetesClient client, String namespace, String name) {
    return () -> {
      Lease lease = client.leases().inNamespace(namespace).withName(name).get();
      if (lease == null
          || lease.getSpec() == null
          || lease.getSpec().getLeaseTransitions() == null) {
        return 0L;
      }
      return lease.getSpec().getLeaseTransitions().longValue();
    };
  }
}
