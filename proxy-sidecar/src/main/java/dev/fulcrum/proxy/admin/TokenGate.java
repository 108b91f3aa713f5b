package dev.fulcrum.proxy.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * Checks the bearer token on a request's headers, before any body byte is read: a request without
 * the token is answered 401 and its connection closed, its body never read or buffered.
 */
final class TokenGate extends ChannelInboundHandlerAdapter {
  private static final byte[] UNAUTHORIZED =
      "{\"error\":\"unauthorized\"}".getBytes(StandardCharsets.UTF_8);

  private final AdminApi api;
  private boolean refused;

  TokenGate(AdminApi api) {
    this.api = api;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest req
        && !api.admits(
            req.method().name(),
            new QueryStringDecoder(req.uri()).path(),
            String.valueOf(ctx.channel().remoteAddress()),
            req.headers().get(HttpHeaderNames.AUTHORIZATION))) {
      refused = true;
      ReferenceCountUtil.release(msg);
      ctx.channel().config().setAutoRead(false); // nothing more is read from this client
      FullHttpResponse r =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.UNAUTHORIZED,
              Unpooled.wrappedBuffer(UNAUTHORIZED));
      r.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, UNAUTHORIZED.length)
          .set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer")
          .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.fireChannelRead(msg);
  }
}
