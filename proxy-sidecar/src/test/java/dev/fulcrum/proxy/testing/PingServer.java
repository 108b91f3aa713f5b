package dev.fulcrum.proxy.testing;

import dev.fulcrum.proxy.tls.Pki;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;

/**
 * A real HTTPS server on loopback that answers {@code GET /ping} with 200 "pong" as K3s does, or
 * with another status when told to; optionally it requires a client certificate from a given CA.
 */
public final class PingServer implements AutoCloseable {
  private static final EventLoopGroup GROUP =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

  private final SslContext tls;
  private final AtomicInteger pings = new AtomicInteger();
  private final List<String> serverNames = new CopyOnWriteArrayList<>();
  private volatile int status = 200;
  private Channel listener;

  private PingServer(SslContext tls) {
    this.tls = tls;
  }

  /** A server whose certificate carries {@code sans}. */
  public static PingServer start(String host, List<String> sans) {
    return new PingServer(serverContext(sans, null)).listen(host);
  }

  /** A server that completes requests only from clients with a certificate issued by {@code ca}. */
  public static PingServer requiringClientCertificate(
      String host, List<String> sans, X509Certificate ca) {
    return new PingServer(serverContext(sans, ca)).listen(host);
  }

  private static SslContext serverContext(List<String> sans, X509Certificate clientCa) {
    Pki.Issued cert = Pki.selfSigned("k3s-server", sans, Duration.ofDays(1));
    try {
      SslContextBuilder b =
          SslContextBuilder.forServer(cert.key(), cert.chain().toArray(new X509Certificate[0]));
      if (clientCa != null) {
        b.trustManager(clientCa).clientAuth(ClientAuth.REQUIRE);
      }
      return b.build();
    } catch (SSLException e) {
      throw new IllegalStateException(e);
    }
  }

  private PingServer listen(String host) {
    listener =
        new ServerBootstrap()
            .group(GROUP)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(tls.newHandler(ch.alloc()))
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(8192))
                        .addLast(new Ping());
                  }
                })
            .bind(new InetSocketAddress(host, 0))
            .syncUninterruptibly()
            .channel();
    return this;
  }

  private final class Ping extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (ctx.pipeline().get(SslHandler.class).engine().getSession()
          instanceof ExtendedSSLSession session) {
        session.getRequestedServerNames().stream()
            .filter(n -> n instanceof SNIHostName)
            .forEach(n -> serverNames.add(((SNIHostName) n).getAsciiName()));
      }
      boolean ping = request.method() == HttpMethod.GET && request.uri().equals("/ping");
      HttpResponseStatus answer =
          ping ? HttpResponseStatus.valueOf(status) : HttpResponseStatus.NOT_FOUND;
      if (ping) {
        pings.incrementAndGet();
      }
      String body = answer.code() == 200 ? "pong" : answer.reasonPhrase();
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, answer, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      response
          .headers()
          .set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
          .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** From now on, answer {@code /ping} with this status. */
  public void status(int code) {
    status = code;
  }

  /** {@code GET /ping} requests answered so far. */
  public int pings() {
    return pings.get();
  }

  /** The SNI host names that requests so far came with. */
  public List<String> serverNames() {
    return List.copyOf(serverNames);
  }

  public String host() {
    return ((InetSocketAddress) listener.localAddress()).getAddress().getHostAddress();
  }

  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  @Override
  public void close() {
    listener.close().syncUninterruptibly();
  }
}
