package dev.fulcrum.proxy.net;

import dev.fulcrum.proxy.balance.BackendPool;
import java.net.InetSocketAddress;

/**
 * One load balancer's listening socket and its proxied connections. Reads the current {@link
 * BackendPool} once per accepted connection. SKELETON: the net helper implements it.
 */
public final class FrontendServer implements AutoCloseable {
  private final String id;
  private final Transport transport;

  public FrontendServer(String id, Transport transport, BackendPool initial) {
    this.id = id;
    this.transport = transport;
  }

  /** Binds synchronously; never call from an event loop. Throws with the cause when it cannot. */
  public void bind(InetSocketAddress address) throws java.io.IOException {
    throw new UnsupportedOperationException("not yet: " + id + transport);
  }

  /** Atomically replaces the pool that new connections are balanced over. */
  public void swap(BackendPool pool) {}

  public BackendPool pool() {
    return null;
  }

  public boolean listening() {
    return false;
  }

  /** The bound address, or null when not listening. */
  public InetSocketAddress localAddress() {
    return null;
  }

  public int activeConnections() {
    return 0;
  }

  /** Stops accepting and closes every proxied connection of this frontend. */
  @Override
  public void close() {}
}
