package dev.fulcrum.proxy.testing;

import dev.fulcrum.proxy.tls.Pki;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real backend on loopback that greets each connection with {@code <name>\n} and then echoes, so
 * a test sees where its traffic went. Optionally TLS (a certificate for the given SANs), or a black
 * hole that accepts and never answers.
 */
public final class EchoBackend implements AutoCloseable {
  private static final EventLoopGroup GROUP =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

  private final String name;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final AtomicInteger accepted = new AtomicInteger();
  private final Queue<Long> acceptedAtNanos = new ConcurrentLinkedQueue<>();
  private final SslContext tls;
  private volatile boolean blackHole;
  private Channel listener;
  private InetSocketAddress address;

  private EchoBackend(String name, SslContext tls) {
    this.name = name;
    this.tls = tls;
  }

  /** A plain TCP echo backend on {@code host}, port chosen by the kernel. */
  public static EchoBackend start(String name, String host) {
    return start(name, host, 0);
  }

  /** A plain TCP echo backend on {@code host:port} (0: chosen by the kernel). */
  public static EchoBackend start(String name, String host, int port) {
    return new EchoBackend(name, null).listen(new InetSocketAddress(host, port));
  }

  /** A TLS echo backend whose certificate carries {@code sans}, port chosen by the kernel. */
  public static EchoBackend startTls(String name, String host, List<String> sans) {
    return startTls(name, host, 0, sans);
  }

  /**
   * A TLS echo backend on {@code host:port} (0: chosen by the kernel) whose certificate carries
   * {@code sans}; a fixed port is for backends that share one, as K3s servers do.
   */
  public static EchoBackend startTls(String name, String host, int port, List<String> sans) {
    try {
      Pki.Issued cert = Pki.selfSigned(name, sans, java.time.Duration.ofDays(1));
      SslContext ctx =
          SslContextBuilder.forServer(
                  cert.key(), cert.chain().toArray(new java.security.cert.X509Certificate[0]))
              .build();
      return new EchoBackend(name, ctx).listen(new InetSocketAddress(host, port));
    } catch (javax.net.ssl.SSLException e) {
      throw new IllegalStateException(e);
    }
  }

  private EchoBackend listen(InetSocketAddress at) {
    listener =
        new ServerBootstrap()
            .group(GROUP)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    accepted.incrementAndGet();
                    acceptedAtNanos.add(System.nanoTime());
                    connections.add(ch);
                    if (blackHole) {
                      ch.config().setAutoRead(false);
                      return;
                    }
                    if (tls != null) {
                      ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                    }
                    ch.pipeline().addLast(new Echo());
                  }
                })
            .bind(at)
            .syncUninterruptibly()
            .channel();
    address = (InetSocketAddress) listener.localAddress();
    return this;
  }

  private final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.writeAndFlush(Unpooled.copiedBuffer(name + "\n", StandardCharsets.UTF_8));
      ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.writeAndFlush(msg instanceof ByteBuf b ? b : msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  public String name() {
    return name;
  }

  public InetSocketAddress address() {
    return address;
  }

  public String host() {
    return address.getAddress().getHostAddress();
  }

  public int port() {
    return address.getPort();
  }

  /** Connections accepted so far (health checks included). */
  public int accepted() {
    return accepted.get();
  }

  /** When each connection was accepted ({@link System#nanoTime}), in order. */
  public List<Long> acceptedAtNanos() {
    return List.copyOf(acceptedAtNanos);
  }

  /** Connections open now. */
  public int open() {
    return connections.size();
  }

  /** From now on, accept connections and never answer (not even a TLS handshake). */
  public void blackHole(boolean on) {
    blackHole = on;
  }

  /** Stops listening and resets every connection, as a crashed server would. */
  public void kill() {
    if (listener != null) {
      listener.close().syncUninterruptibly();
    }
    connections.close().syncUninterruptibly();
  }

  /** Listens again on the same address after {@link #kill()}. */
  public EchoBackend restart() {
    return listen(address);
  }

  @Override
  public void close() {
    kill();
  }

  /**
   * {@code EchoBackend <name> <host> <port>}: one plain backend as its own process, e.g. inside a
   * network namespace for the keepalived test; runs until killed.
   */
  public static void main(String[] args) throws InterruptedException {
    EchoBackend b = start(args[0], args[1], Integer.parseInt(args[2]));
    System.out.println(b.name() + " listening on " + b.host() + ":" + b.port());
    new java.util.concurrent.CountDownLatch(1).await();
  }
}
