package dev.fulcrum.proxy.net;

import dev.fulcrum.proxy.balance.Backend;
import dev.fulcrum.proxy.balance.Connection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A client connection paired with its backend connection, counted by its backend while open. */
final class ProxiedConnection implements Connection {
  private static final Logger log = LoggerFactory.getLogger(ProxiedConnection.class);

  private final String id;
  private final Channel client;
  private final Channel server;
  private final Backend backend;
  private final long openedAtNanos = System.nanoTime();

  ProxiedConnection(String id, Channel client, Channel server, Backend backend) {
    this.id = id;
    this.client = client;
    this.server = server;
    this.backend = backend;
  }

  /** Counts this connection on its backend until either side closes. */
  void register() {
    backend.connectionOpened(this);
    ChannelFutureListener gone = f -> backend.connectionClosed(this);
    client.closeFuture().addListener(gone);
    server.closeFuture().addListener(gone);
  }

  Channel backendChannel() {
    return server;
  }

  Backend backend() {
    return backend;
  }

  @Override
  public long openedAtNanos() {
    return openedAtNanos;
  }

  @Override
  public void close(String reason) {
    if (client.isOpen() || server.isOpen()) {
      log.debug("{}: closing {}: {}", id, this, reason);
    }
    client.close();
    server.close();
  }

  @Override
  public String toString() {
    return client.remoteAddress() + " -> " + backend.config().name() + " " + backend.endpoint();
  }
}
