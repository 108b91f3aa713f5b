package dev.fulcrum.operator.demo;

import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
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
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * A simulated K3s server: a TLS listener whose certificate (from the demo CA) names its own address
 * and the load balancer's, answering {@code GET /ping} with "pong" as K3s does.
 */
final class K3sServer implements AutoCloseable {
  /** Every answer names the server, so a client can tell where the proxy sent it. */
  static final String SERVED_BY = "X-Demo-Served-By";

  private final String name;
  private final InetSocketAddress address;
  private final EventLoopGroup group;
  private final SslContext tls;
  private volatile Channel listener;

  K3sServer(
      String name, InetSocketAddress address, List<String> sans, Pki.Issued ca, EventLoopGroup g)
      throws SSLException {
    this.name = name;
    this.address = address;
    this.group = g;
    Pki.Issued cert = TestPki.issue(ca, name, sans);
    this.tls =
        SslContextBuilder.forServer(cert.key(), cert.chain().toArray(new X509Certificate[0]))
            .build();
  }

  String name() {
    return name;
  }

  String host() {
    return address.getHostString();
  }

  /** Listens on its address; the same port again after {@link #stop()}, as a restarted K3s. */
  K3sServer start() {
    listener =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(tls.newHandler(ch.alloc()))
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(8192))
                        .addLast(new Answer());
                  }
                })
            .bind(address)
            .syncUninterruptibly()
            .channel();
    return this;
  }

  /** Stops listening, as a crashed K3s server would. */
  void stop() {
    Channel c = listener;
    listener = null;
    if (c != null) {
      c.close().syncUninterruptibly();
    }
  }

  @Override
  public void close() {
    stop();
  }

  private final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      boolean ping = request.method() == HttpMethod.GET && request.uri().equals("/ping");
      HttpResponseStatus status = ping ? HttpResponseStatus.OK : HttpResponseStatus.NOT_FOUND;
      String body = ping ? "pong" : "404 page not found\n";
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      response
          .headers()
          .set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
          .set(SERVED_BY, name)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // health checks hang up after the handshake; nothing to report
    }
  }
}
