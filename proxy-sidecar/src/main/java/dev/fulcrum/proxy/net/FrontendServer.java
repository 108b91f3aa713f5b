package dev.fulcrum.proxy.net;

import dev.fulcrum.proxy.balance.BackendPool;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoEventLoop;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One load balancer's listening socket, which reads the current {@link BackendPool} once per
 * accepted connection so a swap never touches a connection already being proxied.
 */
public final class FrontendServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FrontendServer.class);

  private final String id;
  private final Transport transport;
  private final AtomicReference<BackendPool> pool;
  private final AcceptBackoff backoff;
  private volatile Listener listener; // the channel plane's or the direct plane's
  private final BackendAddresses<UringOps.Sockaddr> addresses =
      new BackendAddresses<>(UringOps.Sockaddr::of);

  public FrontendServer(String id, Transport transport, BackendPool initial) {
    this.id = id;
    this.transport = transport;
    this.pool = new AtomicReference<>(initial);
    this.backoff = new AcceptBackoff(id, initial.config().maxConnections());
  }

  /** Binds synchronously; never call from an event loop. Throws with the cause when it cannot. */
  public void bind(ListenAddress listen) throws IOException {
    InetSocketAddress address = listen.address();
    if (transport.direct()) {
      try {
        listening(
            UringListener.bind(
                id, transport.acceptors(), address, listen.v6Only(), 1024, this::accepted));
      } catch (IOException e) {
        throw new IOException(e.getMessage(), e); // as the channel path: the cause kept
      }
      return;
    }
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(transport.acceptors(), transport.workers())
            .channelFactory(
                () ->
                    transport.newServerChannel(
                        !listen.families().contains(ListenAddress.Family.IPV6)))
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childHandler(new FrontendInitializer(id, transport, pool, backoff));
    if (listen.v6Only() && transport.isNative()) {
      bootstrap.option(SocketOptions.IPV6_V6ONLY, 1); // NIO cannot: its :: serves IPv4 too
    }
    SocketOptions.clientSide(bootstrap, transport.isNative());
    ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      Throwable cause = bound.cause();
      throw new IOException(cause.getMessage(), cause);
    }
    listening(Listener.of(bound.channel()));
  }

  private void listening(Listener bound) {
    listener = bound;
    backoff.attach(bound);
    log.info("{}: listening on {} ({})", id, bound.localAddress(), transport.kind().label());
  }

  /** A client the direct data plane accepted, on the listener's loop. */
  private void accepted(int fd) {
    if (!backoff.acquireOrWait(() -> startDirect(fd))) {
      log.warn("{}: closing a client accepted over maxConnections: too many already wait", id);
      try {
        new FileDescriptor(fd).close();
      } catch (IOException e) {
        log.debug("{}: closing a refused client: {}", id, e.toString());
      }
    }
  }

  /** Proxies an accepted client that holds a slot; on any thread. */
  private void startDirect(int fd) {
    BackendPool current = pool.get(); // the one read of the live config for this connection
    IoEventLoop loop = (IoEventLoop) transport.workers().next();
    if (loop.inEventLoop()) {
      new UringConnection(id, loop, fd, current, addresses, backoff, transport).start();
    } else {
      loop.execute(
          () -> new UringConnection(id, loop, fd, current, addresses, backoff, transport).start());
    }
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
