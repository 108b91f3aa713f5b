package dev.fulcrum.proxy.net;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A frontend's listening socket, whichever data plane accepts on it: a Netty server channel (epoll,
 * NIO) or the io_uring direct plane's UringListener. {@link AcceptBackoff} pauses and resumes it at
 * maxConnections; {@link FrontendServer} asks and stops it.
 */
public interface Listener {
  /** The loop it accepts on; {@link #accepting(boolean)} is called there. */
  EventLoop eventLoop();

  boolean isOpen();

  boolean accepting();

  void accepting(boolean accept);

  InetSocketAddress localAddress();

  /** Stops accepting and closes the socket (bounded; never from an event loop). */
  void stop();

  /** A Netty listening channel: accepting is its auto-read. */
  static Listener of(Channel channel) {
    return new Listener() {
      @Override
      public EventLoop eventLoop() {
        return channel.eventLoop();
      }

      @Override
      public boolean isOpen() {
        return channel.isActive();
      }

      @Override
      public boolean accepting() {
        return channel.config().isAutoRead();
      }

      @Override
      public void accepting(boolean accept) {
        channel.config().setAutoRead(accept);
      }

      @Override
      public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
      }

      @Override
      public void stop() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS); // bounded
      }
    };
  }
}
