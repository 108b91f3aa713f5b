package dev.fulcrum.proxy.net.channel;

import dev.fulcrum.proxy.balance.BackendPool;
import dev.fulcrum.proxy.net.IdleSweeper;
import dev.fulcrum.proxy.net.IdleTracked;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The client side of a proxied connection: dials a backend, then relays client bytes to it. */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(FrontendHandler.class);

  private final String id;
  private final BackendPool pool;
  private final BackendDialer dialer;
  // All set and read on the client's event loop, which the backend channel shares.
  private Channel inbound;
  private ProxiedConnection connection; // set once a backend answered
  private Channel outbound;
  private final IdleSweeper sweeper; // its loop's
  private final IdleTracked idle;

  FrontendHandler(String id, BackendPool pool, BackendDialer dialer, IdleSweeper sweeper) {
    this.id = id;
    this.pool = pool;
    this.dialer = dialer;
    this.sweeper = sweeper;
    this.idle =
        new IdleTracked(pool.config().timeouts().idleSeconds()) {
          @Override
          public void closeIdle() {
            FrontendHandler.this.closeIdle();
          }
        };
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    inbound = ctx.channel();
    idle.trackIdle(sweeper);
    dialer.dial(this);
  }

  Channel inbound() {
    return inbound;
  }

  BackendPool pool() {
    return pool;
  }

  /** No backend accepted the client. */
  void dialFailed(Throwable cause) {
    log.warn("{}: closing client {}: {}", id, inbound.remoteAddress(), cause.getMessage());
    closeOnFlush(inbound);
  }

  /** A backend accepted: relay both ways. */
  void dialed(ProxiedConnection c) {
    if (!inbound.isActive()) {
      c.close("client left while its backend was dialed");
      return;
    }
    connection = c;
    outbound = c.backendChannel();
    // Read only now: the connection is counted before any byte flows either way. From here on both
    // sides read whenever the kernel has data; backpressure pauses one side by writability.
    inbound.config().setAutoRead(true);
    outbound.config().setAutoRead(true);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buf) {
      connection.backend().addBytesToBackend(buf.readableBytes());
    }
    touch();
    outbound.write(msg, outbound.voidPromise()); // a failed write closes the backend side
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (outbound != null) {
      outbound.flush(); // one flush per batch of reads, not per buffer
      if (!outbound.isWritable()) {
        ctx.channel().config().setAutoRead(false); // resumed by the backend's writability change
      }
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (outbound != null && ctx.channel().isWritable()) {
      outbound.config().setAutoRead(true); // the client drained what the backend sent
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    idle.untrackIdle();
    if (connection != null) {
      connection.unregister();
      closeOnFlush(outbound);
    }
  }

  void touch() {
    idle.touch();
  }

  private void closeIdle() {
    String why = "no traffic for " + pool.config().timeouts().idleSeconds() + "s";
    if (connection != null) {
      connection.close(why);
    } else {
      log.debug("{}: closing client {}: {}", id, inbound.remoteAddress(), why);
      inbound.close();
    }
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
    } else if (ch.isOpen()) {
      ch.close(); // not again when closed: each close() call costs a promise and an exception
    }
  }
}
