package dev.fulcrum.proxy.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/** Binds the admin and telemetry HTTP listeners, which differ only in their pipelines. */
public final class HttpListener {
  private HttpListener() {}

  /**
   * Binds synchronously (never from an event loop).
   *
   * @param what names the listener in the error, e.g. "admin API"
   * @param connections every accepted connection joins it, so closing the server closes them: an
   *     event loop group shut down with connections still registered can leave their sockets open,
   *     and a client then waits on a server that no longer reads
   * @throws IOException naming the address and the cause when it cannot bind
   */
  public static Channel bind(
      EventLoopGroup group,
      InetSocketAddress at,
      String what,
      ChannelGroup connections,
      Consumer<ChannelPipeline> pipeline)
      throws IOException {
    ChannelFuture bound =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connections.add(ch);
                    pipeline.accept(ch.pipeline());
                  }
                })
            .bind(at)
            .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      throw new IOException(
          what + " cannot listen on " + at + ": " + bound.cause().getMessage(), bound.cause());
    }
    return bound.channel();
  }

  /** {@code host:port} of a bound listener. */
  public static String hostPort(Channel listener) {
    InetSocketAddress a = (InetSocketAddress) listener.localAddress();
    return a.getHostString() + ":" + a.getPort();
  }
}
