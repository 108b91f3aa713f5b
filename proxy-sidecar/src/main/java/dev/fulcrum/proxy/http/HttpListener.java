package dev.fulcrum.proxy.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A listener of the admin or telemetry HTTP server, which differ only in their pipelines: its own
 * event loop thread, the bound channel and every accepted connection, all closed together.
 */
public final class HttpListener implements AutoCloseable {
  private final EventLoopGroup group;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Channel listener;

  private HttpListener(String thread) {
    this.group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory(thread, true), NioIoHandler.newFactory());
  }

  /**
   * Binds synchronously (never from an event loop).
   *
   * @param thread the name of its event loop thread, e.g. {@code fulcrum-admin-io}
   * @param what names the listener in the error, e.g. "admin API"
   * @param pipeline sets up each accepted connection's pipeline
   * @throws IOException naming the address and the cause when it cannot bind; nothing stays open
   */
  public static HttpListener bind(
      String thread, InetSocketAddress at, String what, Consumer<ChannelPipeline> pipeline)
      throws IOException {
    HttpListener l = new HttpListener(thread);
    ChannelFuture bound =
        new ServerBootstrap()
            .group(l.group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    // Closing the listener closes them: an event loop group shut down with
                    // connections still registered can leave their sockets open, and a client
                    // then waits on a server that no longer reads.
                    l.connections.add(ch);
                    pipeline.accept(ch.pipeline());
                  }
                })
            .bind(at)
            .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      l.close();
      throw new IOException(
          what + " cannot listen on " + at + ": " + bound.cause().getMessage(), bound.cause());
    }
    l.listener = bound.channel();
    return l;
  }

  public InetSocketAddress localAddress() {
    Channel c = listener;
    return c == null ? null : (InetSocketAddress) c.localAddress();
  }

  /** {@code host:port} of the bound listener. */
  public String hostPort() {
    InetSocketAddress a = localAddress();
    return a.getHostString() + ":" + a.getPort();
  }

  /** Stops listening, closes every connection, then the event loop; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Channel c = listener;
    if (c != null) {
      c.close().syncUninterruptibly();
    }
    connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
