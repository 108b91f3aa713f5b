package dev.fulcrum.proxy.admin;

import dev.fulcrum.proxy.http.HttpReplies;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.ssl.NotSslRecordException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each aggregated admin request to the executor (the engine may fsync) and writes the answer
 * back; requests on one connection are answered in order.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);

  private final AdminApi api;
  private final Executor executor;
  private final ChangeFeed feed;
  // Event loop only: the previous request's completion, so pipelined answers keep their order.
  private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);

  AdminHandler(AdminApi api, Executor executor, ChangeFeed feed) {
    this.api = api;
    this.executor = executor;
    this.feed = feed;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (!req.decoderResult().isSuccess()) {
      byte[] body = "{\"error\":\"bad request\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      HttpReplies.send(ctx.channel(), false, 400, HttpReplies.JSON, body, Map.of());
      return;
    }
    String uri = req.uri();
    int query = uri.indexOf('?');
    AdminRequest r =
        new AdminRequest(
            req.method().name(),
            query < 0 ? uri : uri.substring(0, query),
            req.headers().get(HttpHeaderNames.AUTHORIZATION),
            req.headers().get(HttpHeaderNames.IF_MATCH),
            ByteBufUtil.getBytes(req.content()),
            String.valueOf(ctx.channel().remoteAddress()));
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    if (r.method().equals("GET") && r.path().equals(AdminApi.WATCH)) {
      api.counted("GET", 200); // the token was checked by TokenGate
      String authorization = r.authorization();
      last =
          last.thenCompose(
              ignored ->
                  WatchStream.start(
                      ctx, feed, keepAlive, () -> api.stillAdmits(authorization), r.from()));
      return;
    }
    last =
        last.thenApplyAsync(ignored -> api.handle(r), executor)
            .exceptionally(
                e -> {
                  log.warn("admin {} {} from {} not served: {}", r.method(), r.path(), r.from(), e);
                  return AdminResponse.error(503, "the admin API is overloaded, retry later");
                })
            .thenAccept(
                res ->
                    HttpReplies.send(
                        ctx.channel(),
                        keepAlive,
                        res.status(),
                        HttpReplies.JSON,
                        res.body(),
                        res.headers()));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.info("admin connection {} closed: {}", ctx.channel().remoteAddress(), describe(cause));
    ctx.close();
  }

  /** The failure without echoing what the client sent: a plain-HTTP request carries the token. */
  static String describe(Throwable cause) {
    Throwable t =
        cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (t instanceof NotSslRecordException) {
      return "not a TLS record (plain HTTP to the HTTPS admin port?)";
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
