package dev.fulcrum.proxy.net;

import dev.fulcrum.proxy.balance.Backend;
import dev.fulcrum.proxy.balance.Connection;
import io.netty.channel.Channel;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client connection paired with its backend connection, counted on that backend from the pick (so
 * least-connections sees dials in flight) until either side closes.
 */
final class ProxiedConnection implements Connection {
  private static final Logger log = LoggerFactory.getLogger(ProxiedConnection.class);

  private final String id;
  private final Channel client;
  private final Backend backend;
  private final long openedAtNanos = System.nanoTime();
  // Confined to the client's event loop, where close() runs too.
  private Channel server;
  private boolean abandoned;

  ProxiedConnection(String id, Channel client, Backend backend) {
    this.id = id;
    this.client = client;
    this.backend = backend;
    backend.connectionOpened(this);
  }

  /** The dial succeeded: from now on closing either side closes the pair. */
  void connected(Channel backendChannel) {
    server = backendChannel;
  }

  /**
   * Stops counting on the backend (a side closed, or the dial failed or was abandoned); idempotent.
   */
  void unregister() {
    backend.connectionClosed(this);
  }

  /** True when the backend was closed while this dial was in flight: retry elsewhere instead. */
  boolean abandoned() {
    return abandoned;
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
    try {
      client.eventLoop().execute(() -> closeOnLoop(reason));
    } catch (RejectedExecutionException shuttingDown) {
      client.close();
    }
  }

  private void closeOnLoop(String reason) {
    if (server == null) {
      // Still dialing: the client has seen nothing yet, so it moves on to another backend.
      abandoned = true;
      return;
    }
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
