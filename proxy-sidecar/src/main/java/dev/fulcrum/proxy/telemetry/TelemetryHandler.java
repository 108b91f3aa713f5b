package dev.fulcrum.proxy.telemetry;

import dev.fulcrum.proxy.engine.ProxyEngine;
import dev.fulcrum.proxy.http.HttpReplies;
import dev.fulcrum.proxy.metrics.ProxyMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the telemetry paths. Inline on the telemetry loop: a scrape and a readiness check only
 * read in-memory state, and this loop serves nothing else.
 */
final class TelemetryHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(TelemetryHandler.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final ProxyEngine engine;
  private final ProxyMetrics metrics;

  TelemetryHandler(ProxyEngine engine, ProxyMetrics metrics) {
    this.engine = engine;
    this.metrics = metrics;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    boolean keepAlive = HttpUtil.isKeepAlive(req) && req.decoderResult().isSuccess();
    String path = req.uri().split("\\?", 2)[0];
    if (!req.decoderResult().isSuccess()) {
      reply(ctx, false, 400, "bad request");
    } else if (!req.method().equals(HttpMethod.GET)) {
      HttpReplies.send(
          ctx.channel(),
          keepAlive,
          405,
          HttpReplies.TEXT,
          bytes("use GET\n"),
          Map.of("Allow", "GET"));
    } else if (path.equals("/metrics")) {
      HttpReplies.send(
          ctx.channel(), keepAlive, 200, PROMETHEUS_TEXT, bytes(metrics.scrape()), Map.of());
    } else if (path.equals("/healthz")) {
      reply(ctx, keepAlive, 200, "ok");
    } else if (path.equals("/readyz")) {
      // ?vip=ADDRESS: only the load balancers on that VIP (its VRRP instance's track script)
      List<String> vip =
          new QueryStringDecoder(req.uri()).parameters().getOrDefault("vip", List.of());
      ProxyEngine.Readiness r = vip.isEmpty() ? engine.readiness() : engine.readiness(vip.get(0));
      reply(ctx, keepAlive, r.ready() ? 200 : 503, r.ready() ? "ready" : r.reason());
    } else {
      reply(ctx, keepAlive, 404, "not found: try /metrics, /healthz or /readyz");
    }
  }

  private static void reply(ChannelHandlerContext ctx, boolean keepAlive, int status, String text) {
    HttpReplies.send(
        ctx.channel(), keepAlive, status, HttpReplies.TEXT, bytes(text + "\n"), Map.of());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug(
        "telemetry connection {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
