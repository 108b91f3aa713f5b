package dev.fulcrum.proxy.net.uring;

import dev.fulcrum.proxy.balance.BackendPool;
import dev.fulcrum.proxy.net.AcceptBackoff;
import dev.fulcrum.proxy.net.BackendAddresses;
import dev.fulcrum.proxy.net.DataPlane;
import dev.fulcrum.proxy.net.ListenAddress;
import dev.fulcrum.proxy.net.Listener;
import dev.fulcrum.proxy.net.Transport;
import io.netty.channel.IoEventLoop;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The io_uring direct plane: {@link UringListener} accepts on the ring, and each client is a {@link
 * UringConnection} that submits its own connects, polls, receives and sends, with no channel or
 * pipeline.
 */
public final class UringPlane implements DataPlane {
  private static final Logger log = LoggerFactory.getLogger(UringPlane.class);

  private final Transport transport;

  /**
   * @param transport an io_uring transport: its acceptor loop listens, its workers run the
   *     connections
   */
  public UringPlane(Transport transport) {
    if (!transport.direct()) {
      throw new IllegalArgumentException(
          "the direct plane needs io_uring, not " + transport.kind());
    }
    this.transport = transport;
  }

  @Override
  public String label() {
    return Transport.Kind.IO_URING.label();
  }

  @Override
  public Listener listen(
      String id, ListenAddress address, Supplier<BackendPool> pool, AcceptBackoff backoff)
      throws IOException {
    Frontend frontend = new Frontend(id, pool, backoff);
    try {
      return UringListener.bind(
          id, transport.acceptors(), address.address(), address.v6Only(), 1024, frontend::accepted);
    } catch (IOException e) {
      throw new IOException(e.getMessage(), e); // as the channel plane: the cause kept
    }
  }

  /** One frontend's accepted clients, and the backend addresses its dials resolved. */
  private final class Frontend {
    private final String id;
    private final Supplier<BackendPool> pool;
    private final AcceptBackoff backoff;
    private final BackendAddresses<UringOps.Sockaddr> addresses =
        new BackendAddresses<>(UringOps.Sockaddr::of);

    Frontend(String id, Supplier<BackendPool> pool, AcceptBackoff backoff) {
      this.id = id;
      this.pool = pool;
      this.backoff = backoff;
    }

    /** A client the listener accepted, on the listener's loop. */
    void accepted(int fd) {
      if (!backoff.acquireOrWait(() -> start(fd))) {
        log.warn("{}: closing a client accepted over maxConnections: too many already wait", id);
        try {
          new FileDescriptor(fd).close();
        } catch (IOException e) {
          log.debug("{}: closing a refused client: {}", id, e.toString());
        }
      }
    }

    /** Proxies an accepted client that holds a slot; on any thread. */
    private void start(int fd) {
      BackendPool current = pool.get(); // the one read of the live config for this connection
      IoEventLoop loop = (IoEventLoop) transport.workers().next();
      if (loop.inEventLoop()) {
        new UringConnection(id, loop, fd, current, addresses, backoff, transport).start();
      } else {
        loop.execute(
            () ->
                new UringConnection(id, loop, fd, current, addresses, backoff, transport).start());
      }
    }
  }
}
