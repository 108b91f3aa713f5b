package dev.fulcrum.proxy.net.channel;

import dev.fulcrum.proxy.balance.Backend;
import dev.fulcrum.proxy.net.BackendLeg;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channel data plane's leg: a client channel paired with its backend channel, counted on that
 * backend from the pick (so least-connections sees dials in flight) until either side closes.
 */
final class ProxiedConnection extends BackendLeg {
  private static final Logger log = LoggerFactory.getLogger(ProxiedConnection.class);

  private final String id;
  private final Channel client;
  // Confined to the client's event loop, where close() runs too.
  private Channel server;

  ProxiedConnection(String id, Channel client, Backend backend) {
    super(backend);
    this.id = id;
    this.client = client;
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
    backend().connectionClosed(this);
  }

  Channel backendChannel() {
    return server;
  }

  @Override
  protected EventLoop loop() {
    return client.eventLoop();
  }

  @Override
  protected Object clientAddress() {
    return client.remoteAddress();
  }

  @Override
  protected void closeWithoutLoop() {
    client.close();
  }

  @Override
  protected void closeOnLoop(String reason) {
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
}
