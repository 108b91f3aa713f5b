package dev.fulcrum.proxy.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection that does not deliver a whole request within the deadline, counted from
 * accept or from the last response: a slow or idle client cannot hold a connection open. Sits after
 * the aggregator, so it sees whole requests.
 */
public final class RequestDeadline extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(RequestDeadline.class);

  private final long millis;
  // Touched only on the channel's event loop.
  private ScheduledFuture<?> timer;
  private int inFlight;

  public RequestDeadline(long millis) {
    this.millis = millis;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    arm(ctx);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      inFlight++;
      disarm();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof LastHttpContent) {
      promise = promise.unvoid();
      promise.addListener(
          f -> {
            if (--inFlight <= 0 && ctx.channel().isActive()) {
              inFlight = 0;
              arm(ctx);
            }
          });
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    disarm();
    ctx.fireChannelInactive();
  }

  private void arm(ChannelHandlerContext ctx) {
    disarm();
    timer =
        ctx.executor()
            .schedule(
                () -> {
                  log.debug(
                      "closing {}: no complete request within {} ms",
                      ctx.channel().remoteAddress(),
                      millis);
                  ctx.close();
                },
                millis,
                TimeUnit.MILLISECONDS);
  }

  private void disarm() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
