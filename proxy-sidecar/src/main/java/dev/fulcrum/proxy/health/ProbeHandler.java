package dev.fulcrum.proxy.health;

import dev.fulcrum.proxy.api.HealthCheckConfig;
import dev.fulcrum.proxy.api.HealthCheckMode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Consumer;

/**
 * Drives one check's channel through connect, TLS handshake and HTTP exchange as the mode needs.
 */
final class ProbeHandler extends ChannelInboundHandlerAdapter {
  /** How far a check got; a timeout names the stage it was stuck in. */
  enum Stage {
    CONNECT("connect"),
    TLS("TLS handshake"),
    HTTP("HTTP response");

    private final String label;

    Stage(String label) {
      this.label = label;
    }
  }

  private final HealthCheckConfig config;
  private final String hostHeader;
  private final Promise<Void> result;
  private final Consumer<List<String>> sansSeen;
  // Read by the timeout task, which runs on this channel's event loop too.
  private Stage stage = Stage.CONNECT;

  ProbeHandler(
      HealthCheckConfig config,
      String hostHeader,
      Promise<Void> result,
      Consumer<List<String>> sansSeen) {
    this.config = config;
    this.hostHeader = hostHeader;
    this.result = result;
    this.sansSeen = sansSeen;
  }

  String timedOut() {
    String what = stage == Stage.HTTP ? stage.label + " from " + config.path() : stage.label;
    return what + " timed out after " + config.timeoutSeconds() + "s";
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (config.mode() == HealthCheckMode.TCP) {
      result.trySuccess(null);
    } else {
      stage = Stage.TLS;
    }
    ctx.fireChannelActive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof SslHandshakeCompletionEvent done) {
      if (!done.isSuccess()) {
        result.tryFailure(CheckFailure.of(done.cause()));
        return;
      }
      recordSans(ctx);
      if (config.mode() == HealthCheckMode.TLS) {
        result.trySuccess(null);
        return;
      }
      stage = Stage.HTTP;
      FullHttpRequest get =
          new DefaultFullHttpRequest(
              HttpVersion.HTTP_1_1, HttpMethod.GET, config.path(), Unpooled.EMPTY_BUFFER);
      get.headers()
          .set(HttpHeaderNames.HOST, hostHeader)
          .set(HttpHeaderNames.USER_AGENT, "fulcrum-health-check")
          .set(HttpHeaderNames.ACCEPT, "*/*")
          .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(get);
    }
    ctx.fireUserEventTriggered(evt);
  }

  private void recordSans(ChannelHandlerContext ctx) throws Exception {
    Certificate[] chain =
        ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates();
    if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
      sansSeen.accept(CertificateSans.of(leaf));
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpResponse response) {
        if (response.decoderResult().isFailure()) {
          result.tryFailure(
              new CheckFailure(
                  "invalid HTTP response from "
                      + config.path()
                      + ": "
                      + response.decoderResult().cause().getMessage()));
        } else if (response.status().code() == config.expectStatus()) {
          result.trySuccess(null);
        } else {
          result.tryFailure(
              new CheckFailure("HTTP " + response.status().code() + " from " + config.path()));
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    result.tryFailure(new CheckFailure("connection closed during " + stage.label));
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    result.tryFailure(CheckFailure.of(cause));
    ctx.close();
  }
}
