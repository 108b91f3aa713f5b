package dev.fulcrum.proxy.net;

import dev.fulcrum.proxy.balance.BackendPool;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One load balancer's listening socket, on either {@link DataPlane}, which reads the current {@link
 * BackendPool} once per admitted connection so a swap never touches a connection already being
 * proxied.
 */
public final class FrontendServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FrontendServer.class);

  private final String id;
  private final DataPlane plane;
  private final AtomicReference<BackendPool> pool;
  private final AcceptBackoff backoff;
  private volatile Listener listener;

  public FrontendServer(String id, DataPlane plane, BackendPool initial) {
    this.id = id;
    this.plane = plane;
    this.pool = new AtomicReference<>(initial);
    this.backoff = new AcceptBackoff(id, initial.config().maxConnections());
  }

  /** Binds synchronously; never call from an event loop. Throws with the cause when it cannot. */
  public void bind(ListenAddress listen) throws IOException {
    Listener bound = plane.listen(id, listen, pool::get, backoff);
    listener = bound;
    backoff.attach(bound);
    log.info("{}: listening on {} ({})", id, bound.localAddress(), plane.label());
  }

  /** Atomically replaces the pool that new connections are balanced over. */
  public void swap(BackendPool next) {
    pool.set(next);
    backoff.limit(next.config().maxConnections());
  }

  public BackendPool pool() {
    return pool.get();
  }

  public boolean listening() {
    Listener l = listener;
    return l != null && l.isOpen();
  }

  /** False while at maxConnections: the kernel backlog holds new clients until one leaves. */
  public boolean accepting() {
    Listener l = listener;
    return l != null && l.isOpen() && l.accepting();
  }

  /** The bound address, or null when not listening. */
  public InetSocketAddress localAddress() {
    Listener l = listener;
    return l == null ? null : l.localAddress();
  }

  public int activeConnections() {
    return backoff.active();
  }

  /**
   * Stops accepting. Proxied connections live on: they belong to their backends, which close or
   * drain them, so moving a frontend to a new address does not cut its clients.
   */
  @Override
  public void close() {
    Listener l = listener;
    if (l != null) {
      l.stop();
      log.info("{}: stopped listening on {}", id, l.localAddress());
    }
  }
}
