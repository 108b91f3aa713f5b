package dev.fulcrum.proxy.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Long-lived clients like kube-apiserver watches: each holds its connection open and, when the
 * proxy closes it, notes the time and reconnects at once.
 */
final class WatchClients implements AutoCloseable {
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final InetSocketAddress proxy;
  private final Bootstrap bootstrap;
  private final AtomicInteger live = new AtomicInteger();
  private final List<Long> closedAtNanos = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean stopping;

  WatchClients(InetSocketAddress proxy) {
    this.proxy = proxy;
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new LineBasedFrameDecoder(256), new StringDecoder(), new Watch());
                  }
                });
  }

  void open(int n) {
    for (int i = 0; i < n; i++) {
      bootstrap.connect(proxy).syncUninterruptibly();
    }
  }

  /** Open connections that have received their backend's greeting. */
  int live() {
    return live.get();
  }

  /** When the proxy closed a connection, in {@link System#nanoTime()}, in order. */
  List<Long> closedAtNanos() {
    synchronized (closedAtNanos) {
      return List.copyOf(closedAtNanos);
    }
  }

  private final class Watch extends SimpleChannelInboundHandler<String> {
    private boolean greeted;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, String line) {
      if (!greeted) {
        greeted = true;
        live.incrementAndGet();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (greeted) {
        live.decrementAndGet();
      }
      if (!stopping) {
        closedAtNanos.add(System.nanoTime());
        bootstrap.connect(proxy); // a watch re-lists and re-watches right away
      }
    }
  }

  @Override
  public void close() {
    stopping = true;
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
