package dev.fulcrum.proxy.balance;

import dev.fulcrum.proxy.api.LoadBalancerConfig;
import java.util.List;
import java.util.function.Predicate;

/**
 * The immutable snapshot a frontend serves: the applied config, its live backends and balancer.
 * Swapped whole; read once per new connection.
 */
public record BackendPool(LoadBalancerConfig config, List<Backend> backends, Balancer balancer) {
  public BackendPool {
    backends = List.copyOf(backends);
  }

  /**
   * The backend a new connection goes to, by the balancer; never one {@code tried} already. Null
   * when none is left.
   *
   * @param client the client's address, for source hashing (null where the balancer ignores it)
   */
  public Backend pick(java.net.InetAddress client, Predicate<Backend> tried) {
    return balancer.pick(backends, client, tried);
  }

  /**
   * Whether a backend other than {@code down}, neither tried nor draining, is up: a client whose
   * backend went down while it waited for its turn moves to it, and tries a down one only as a last
   * resort, as a pick does.
   */
  public boolean upBesides(Backend down, Predicate<Backend> tried) {
    for (Backend b : backends) {
      if (b != down && b.isUp() && !b.draining() && !tried.test(b)) {
        return true;
      }
    }
    return false;
  }
}
