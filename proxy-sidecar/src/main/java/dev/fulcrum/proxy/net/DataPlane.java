package dev.fulcrum.proxy.net;

import dev.fulcrum.proxy.balance.BackendPool;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * How a frontend's accepted clients are proxied: the channel plane ({@code net.channel}: Netty
 * channels and pipelines, for epoll and NIO) or the io_uring direct plane ({@code net.uring}: each
 * connection submits its own operations). {@link FrontendServer} listens through one; what both
 * share is in this package: {@link Listener}, {@link AcceptBackoff}, {@link Failover}, {@link
 * BackendLeg}, {@link IdleTracked} and the {@link IdleSweeper}.
 */
public interface DataPlane {
  /** What the logs say a frontend listens with, e.g. {@code io_uring}. */
  String label();

  /**
   * Binds a listening socket. Each accepted client takes a slot from {@code backoff} (or waits for
   * one, or is closed when too many wait) and is then proxied to a backend of the pool current at
   * that moment. Binds synchronously; never call from an event loop.
   *
   * @throws IOException with the cause when the address cannot be bound
   */
  Listener listen(
      String id, ListenAddress address, Supplier<BackendPool> pool, AcceptBackoff backoff)
      throws IOException;
}
