package dev.fulcrum.proxy.balance;

import java.util.concurrent.ScheduledExecutorService;

/**
 * Paced rebalancing: when one backend's share of connections is far from even, closes the oldest
 * connections of the most loaded backend at a bounded rate. SKELETON: the net helper implements it.
 */
public final class Rebalancer implements AutoCloseable {
  public Rebalancer(String loadBalancerId, ScheduledExecutorService scheduler) {}

  /** Rebalances over this pool from now on (its config carries rate and tolerance). */
  public void update(BackendPool pool) {}

  @Override
  public void close() {}
}
