package dev.fulcrum.proxy.balance;

import java.net.InetAddress;
import java.util.List;
import java.util.function.Predicate;

/** Picks the backend for a new connection among those that are up and not yet tried. */
public interface Balancer {
  /**
   * @param backends the live set, in config order
   * @param client the client's address (SourceHash uses it)
   * @param tried backends that already failed to connect for this client connection
   * @return the backend to dial, or null when none is left
   */
  Backend pick(List<Backend> backends, InetAddress client, Predicate<Backend> tried);
}
