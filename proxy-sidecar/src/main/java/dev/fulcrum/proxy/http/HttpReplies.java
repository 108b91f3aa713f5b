package dev.fulcrum.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;

/** Writes one complete HTTP response, honouring keep-alive; shared by the admin and telemetry. */
public final class HttpReplies {
  public static final String JSON = "application/json";
  public static final String TEXT = "text/plain; charset=utf-8";

  private HttpReplies() {}

  /** Safe from any thread: Netty hands the write to the channel's event loop. */
  public static ChannelFuture send(
      Channel ch,
      boolean keepAlive,
      int status,
      String contentType,
      byte[] body,
      Map<String, String> headers) {
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
    headers.forEach((k, v) -> res.headers().set(k, v));
    res.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, contentType)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    HttpUtil.setContentLength(res, body.length);
    HttpUtil.setKeepAlive(res, keepAlive);
    ChannelFuture f = ch.writeAndFlush(res);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
    return f;
  }
}
