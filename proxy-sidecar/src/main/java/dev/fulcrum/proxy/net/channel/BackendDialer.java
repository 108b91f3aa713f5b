package dev.fulcrum.proxy.net.channel;

import dev.fulcrum.proxy.balance.Backend;
import dev.fulcrum.proxy.balance.BackendPool;
import dev.fulcrum.proxy.balance.DialPace;
import dev.fulcrum.proxy.net.BackendAddresses;
import dev.fulcrum.proxy.net.Failover;
import dev.fulcrum.proxy.net.SocketOptions;
import dev.fulcrum.proxy.net.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects a client to a backend the balancer picks, when that backend's {@link DialPace} lets it;
 * a failed dial tries the next, so the client only sees a failure when no backend is left.
 */
final class BackendDialer {
  private static final Logger log = LoggerFactory.getLogger(BackendDialer.class);
  private final String id;
  private final Transport transport;
  private final BackendAddresses<InetSocketAddress> addresses = new BackendAddresses<>(a -> a);

  BackendDialer(String id, Transport transport) {
    this.id = id;
    this.transport = transport;
  }

  /**
   * Dials for the client of {@code frontend}, on its event loop, and reports there: {@link
   * FrontendHandler#dialed} with a connected connection, or {@link FrontendHandler#dialFailed}.
   */
  void dial(FrontendHandler frontend) {
    new Attempt(frontend).next(null);
  }

  /** Why a client is closed when the balancer has no backend left to try, for the log. */
  /** One client's dial, confined to its event loop (but {@link #admitted}, which hands over). */
  private final class Attempt implements DialPace.Waiter {
    private final FrontendHandler frontend;
    private final Channel inbound;
    private final BackendPool pool;
    private final InetAddress client;
    // Usually one entry: a list scans faster than a set hashes, and allocates less.
    private final Failover failover;
    private ProxiedConnection waiting; // counted on its backend while it waits for its turn

    Attempt(FrontendHandler frontend) {
      this.frontend = frontend;
      this.inbound = frontend.inbound();
      this.pool = frontend.pool();
      this.client = ((InetSocketAddress) inbound.remoteAddress()).getAddress();
      this.failover = new Failover(pool, client);
    }

    void next(Throwable last) {
      Backend backend = failover.next();
      if (backend == null) {
        frontend.dialFailed(
            new ConnectException(failover.noBackend(last == null ? null : last.getMessage())));
        return;
      }
      ProxiedConnection connection = new ProxiedConnection(id, inbound, backend);
      if (backend.pace().admitOrWait(this)) {
        failover.holding(backend.pace());
        resolve(connection);
      } else {
        waiting = connection;
        // Dropped from the line if it leaves: uncounted here, since its turn is never called.
        inbound.closeFuture().addListener(f -> connection.unregister());
      }
    }

    private void resolve(ProxiedConnection connection) {
      addresses.resolve(
          connection.backend().config(),
          inbound.eventLoop(),
          address -> connect(connection, address),
          e -> failed(connection, e));
    }

    @Override
    public void admitted() {
      try {
        inbound.eventLoop().execute(this::turnCame);
      } catch (RejectedExecutionException shuttingDown) {
        waiting.backend().pace().dialDone();
      }
    }

    @Override
    public boolean gone() {
      return !inbound.isOpen();
    }

    private void turnCame() {
      ProxiedConnection connection = waiting;
      waiting = null;
      Backend backend = connection.backend();
      failover.holding(backend.pace());
      if (!inbound.isActive()) { // the client left while it waited
        releaseSlot();
        connection.unregister();
        return;
      }
      if (failover.goElsewhere(connection)) {
        releaseSlot(); // closed, removed or down while this client waited: it goes elsewhere
        connection.unregister();
        next(null);
        return;
      }
      resolve(connection);
    }

    private void releaseSlot() {
      failover.releaseSlot();
    }

    private void connect(ProxiedConnection connection, InetSocketAddress address) {
      Backend backend = connection.backend();
      // Built by hand rather than by a Bootstrap per dial: no option map, no resolver lookup.
      Channel ch;
      try {
        ch = transport.newSocketChannel(); // throws when out of file descriptors
      } catch (ChannelException e) { // this host's trouble, not the backend's: it stays up
        releaseSlot();
        connection.unregister();
        Throwable cause = e.getCause() == null ? e : e.getCause();
        frontend.dialFailed(
            new ConnectException("cannot open a backend socket: " + cause.getMessage()));
        return;
      }
      SocketOptions.backendSide(
          ch.config(), transport.isNative(), pool.config().timeouts().connectSeconds());
      ch.pipeline().addLast(new BackendHandler(id, frontend, connection));
      // On the client's loop, so registration completes right here and connect may follow.
      ChannelFuture registered = inbound.eventLoop().register(ch);
      if (registered.isDone() && !registered.isSuccess()) {
        failed(connection, registered.cause());
        return;
      }
      long start = System.nanoTime();
      ch.connect(address)
          .addListener(
              (ChannelFutureListener)
                  f -> {
                    releaseSlot();
                    if (!f.isSuccess()) {
                      failed(connection, f.cause());
                    } else if (connection.abandoned()) {
                      f.channel().close();
                      connection.unregister();
                      log.info(
                          "{}: {} was closed while dialing for client {}; trying the next backend",
                          id,
                          backend.endpoint(),
                          inbound.remoteAddress());
                      next(null);
                    } else {
                      backend.dialed(System.nanoTime() - start);
                      connection.connected(f.channel());
                      frontend.dialed(connection);
                    }
                  });
    }

    private void failed(ProxiedConnection connection, Throwable cause) {
      releaseSlot();
      Backend backend = connection.backend();
      connection.unregister();
      failover.dialFailed(backend, cause.getMessage());
      log.warn(
          "{}: dial of {} for client {} failed: {}",
          id,
          backend.endpoint(),
          inbound.remoteAddress(),
          cause.getMessage());
      next(cause);
    }
  }
}
