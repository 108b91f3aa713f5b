package dev.fulcrum.proxy.admin;

import dev.fulcrum.proxy.api.WireJson;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code GET /v1/watch}: a chunked stream of JSON lines, {@code {"revision":"…"}}, one at once,
 * one within {@link ChangeFeed#TICK} of every change, and the current one every {@link #HEARTBEAT}
 * so the watcher can tell a live proxy from a silent one. It ends after {@link #LIFETIME}; the
 * watcher reconnects and compares the revision with the last it saw, so nothing is missed between.
 */
final class WatchStream {
  private static final Logger log = LoggerFactory.getLogger(WatchStream.class);
  static final Duration HEARTBEAT = Duration.ofSeconds(1);
  static final Duration LIFETIME = Duration.ofMinutes(5);
  static final String CONTENT_TYPE = "application/x-ndjson";

  private final ChannelHandlerContext ctx;
  private final ChangeFeed feed;
  private final boolean keepAlive;
  private final BooleanSupplier admitted;
  private final String from;
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private final Consumer<String> watcher;
  // Event loop only.
  private ScheduledFuture<?> heartbeat;
  private ScheduledFuture<?> lifetime;

  private WatchStream(
      ChannelHandlerContext ctx,
      ChangeFeed feed,
      boolean keepAlive,
      BooleanSupplier admitted,
      String from) {
    this.ctx = ctx;
    this.feed = feed;
    this.keepAlive = keepAlive;
    this.admitted = admitted;
    this.from = from;
    this.watcher = revision -> ctx.executor().execute(() -> line(revision));
  }

  /**
   * Starts the stream on {@code ctx}'s event loop; the future completes when it has ended, so a
   * request pipelined behind it is answered after it.
   *
   * @param admitted whether the token the stream was opened with is still valid; checked before
   *     every line, so a rotated token ends the stream within a heartbeat
   */
  static CompletableFuture<Void> start(
      ChannelHandlerContext ctx,
      ChangeFeed feed,
      boolean keepAlive,
      BooleanSupplier admitted,
      String from) {
    WatchStream s = new WatchStream(ctx, feed, keepAlive, admitted, from);
    ctx.executor().execute(s::begin);
    return s.ended;
  }

  private void begin() {
    if (!ctx.channel().isActive()) {
      ended.complete(null);
      return;
    }
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    HttpUtil.setTransferEncodingChunked(head, true);
    HttpUtil.setKeepAlive(head, keepAlive);
    ctx.write(head);
    feed.subscribe(watcher);
    line(feed.revision());
    long beat = HEARTBEAT.toMillis();
    heartbeat =
        ctx.executor()
            .scheduleAtFixedRate(() -> line(feed.revision()), beat, beat, TimeUnit.MILLISECONDS);
    lifetime = ctx.executor().schedule(this::finish, LIFETIME.toMillis(), TimeUnit.MILLISECONDS);
    ctx.channel().closeFuture().addListener(f -> stop());
  }

  private void line(String revision) {
    if (ended.isDone() || !ctx.channel().isActive()) {
      return;
    }
    if (!admitted.getAsBoolean()) {
      log.warn("watch from {} ended: its bearer token is no longer the admin token", from);
      stop();
      ctx.close();
      return;
    }
    if (!ctx.channel().isWritable()) {
      return; // a watcher that stopped reading gets no more; the next line carries the revision
    }
    byte[] json = WireJson.write(Map.of("revision", revision));
    byte[] bytes = new byte[json.length + 1];
    System.arraycopy(json, 0, bytes, 0, json.length);
    bytes[json.length] = '\n';
    ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)));
  }

  /** The stream's planned end: the last chunk, then the connection as keep-alive says. */
  private void finish() {
    if (ended.isDone()) {
      return;
    }
    stop();
    var f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private void stop() {
    feed.unsubscribe(watcher);
    if (heartbeat != null) {
      heartbeat.cancel(false);
    }
    if (lifetime != null) {
      lifetime.cancel(false);
    }
    ended.complete(null);
  }
}
