package dev.fulcrum.proxy.net;

import dev.fulcrum.proxy.balance.BackendPool;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The client side of a proxied connection: dials a backend, then relays client bytes to it. */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(FrontendHandler.class);

  private final String id;
  private final BackendPool pool;
  private final BackendDialer dialer;
  private ProxiedConnection connection; // set on the event loop once a backend answered

  FrontendHandler(String id, BackendPool pool, BackendDialer dialer) {
    this.id = id;
    this.pool = pool;
    this.dialer = dialer;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    Channel inbound = ctx.channel();
    dialer
        .dial(inbound, pool)
        .addListener(
            (Future<ProxiedConnection> dialed) -> {
              if (!dialed.isSuccess()) {
                log.warn(
                    "{}: closing client {}: {}",
                    id,
                    inbound.remoteAddress(),
                    dialed.cause().getMessage());
                closeOnFlush(inbound);
                return;
              }
              ProxiedConnection c = dialed.getNow();
              if (!inbound.isActive()) {
                c.close("client left while its backend was dialed");
                return;
              }
              connection = c;
              // Read only now: the connection is counted before any byte flows either way.
              inbound.read();
              c.backendChannel().read();
            });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buf) {
      connection.backend().addBytesToBackend(buf.readableBytes());
    }
    connection
        .backendChannel()
        .writeAndFlush(msg)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess()) {
                    ctx.channel().read(); // backpressure: the next read waits for this flush
                  } else {
                    f.channel().close();
                  }
                });
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (connection != null) {
      closeOnFlush(connection.backendChannel());
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      String why = "no traffic for " + pool.config().timeouts().idleSeconds() + "s";
      if (connection != null) {
        connection.close(why);
      } else {
        log.debug("{}: closing client {}: {}", id, ctx.channel().remoteAddress(), why);
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    logFailure(log, id, "client " + ctx.channel().remoteAddress(), cause);
    closeOnFlush(ctx.channel());
  }

  /** Resets by peers are routine for a proxy; anything else deserves a warning. */
  static void logFailure(Logger logger, String id, String side, Throwable cause) {
    if (cause instanceof IOException) {
      logger.debug("{}: {} failed: {}", id, side, cause.toString());
    } else {
      logger.warn("{}: {} failed", id, side, cause);
    }
  }

  /** Closes the channel once everything queued on it has been written. */
  static void closeOnFlush(Channel ch) {
    if (ch.isActive()) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    } else {
      ch.close();
    }
  }
}
