package dev.fulcrum.proxy.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The event loops and channel classes of this process: epoll where available, else NIO. Listening
 * sockets share the data-plane loops, so an accepted connection is set up on the thread that
 * accepted it without a hand-off, and {@code workerThreads: 1} really is one thread.
 */
public final class Transport implements AutoCloseable {
  private final boolean epoll;
  private final EventLoopGroup workers;

  /**
   * @param workerThreads data-plane event loops (0 = Netty's default, twice the cores)
   * @param preferEpoll false forces NIO, e.g. to compare
   */
  public Transport(int workerThreads, boolean preferEpoll) {
    this.epoll = preferEpoll && Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.workers =
        new MultiThreadIoEventLoopGroup(workerThreads, new DefaultThreadFactory("fulcrum-io"), io);
  }

  public boolean isEpoll() {
    return epoll;
  }

  /** The loops listening sockets are registered on: the workers themselves. */
  public EventLoopGroup acceptors() {
    return workers;
  }

  public EventLoopGroup workers() {
    return workers;
  }

  public Class<? extends ServerChannel> serverChannelClass() {
    return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  public Class<? extends SocketChannel> socketChannelClass() {
    return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /** A new unregistered client socket, without the reflection a Bootstrap's factory uses. */
  SocketChannel newSocketChannel() {
    return epoll ? new EpollSocketChannel() : new NioSocketChannel();
  }

  @Override
  public void close() {
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
