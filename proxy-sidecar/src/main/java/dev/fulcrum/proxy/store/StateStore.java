package dev.fulcrum.proxy.store;

import dev.fulcrum.proxy.api.LoadBalancerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The proxy's applied state on disk, written atomically and fsynced. SKELETON: the admin/store
 * helper implements it.
 */
public final class StateStore {
  private final Path stateDir;

  public StateStore(Path stateDir) {
    this.stateDir = stateDir;
  }

  /** What is on disk; a corrupt file is moved aside and reported in {@link Loaded#problem()}. */
  public Loaded load() {
    return new Loaded(Map.of(), 0L, null);
  }

  /** Replaces the state file atomically; returns only once it is durable. */
  public void save(Map<String, LoadBalancerConfig> loadBalancers, long highestEpoch)
      throws IOException {
    if (stateDir == null) {
      throw new IOException("no state dir");
    }
  }

  /** The persisted state: load balancers by id, the highest epoch seen, and any load problem. */
  public record Loaded(
      Map<String, LoadBalancerConfig> loadBalancers, long highestEpoch, String problem) {}
}
