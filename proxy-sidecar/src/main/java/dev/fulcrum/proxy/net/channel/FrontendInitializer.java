package dev.fulcrum.proxy.net.channel;

import dev.fulcrum.proxy.balance.BackendPool;
import dev.fulcrum.proxy.net.AcceptBackoff;
import dev.fulcrum.proxy.net.IdleSweeper;
import dev.fulcrum.proxy.net.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up an accepted client connection against the pool current at accept time. Shared by every
 * connection and replaced by the connection's own handler, without the per-channel bookkeeping of a
 * ChannelInitializer.
 */
@Sharable
final class FrontendInitializer extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(FrontendInitializer.class);

  private final String id;
  private final Transport transport;
  private final BackendDialer dialer;
  private final Supplier<BackendPool> pool;
  private final AcceptBackoff backoff;
  private final ChannelFutureListener release;

  FrontendInitializer(
      String id, Transport transport, Supplier<BackendPool> pool, AcceptBackoff backoff) {
    this.id = id;
    this.transport = transport;
    this.dialer = new BackendDialer(id, transport);
    this.pool = pool;
    this.backoff = backoff;
    this.release = f -> backoff.release();
  }

  /** Runs on the connection's event loop once it is registered. */
  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    Channel ch = ctx.channel();
    // True until this call returns; written and read only on the channel's loop.
    boolean[] now = {true};
    boolean held =
        backoff.acquireOrWait(
            () -> {
              if (ch.eventLoop().inEventLoop() && now[0]) { // before the channel went active
                admit(ctx);
              } else {
                ch.eventLoop().execute(() -> admitLate(ctx));
              }
            });
    now[0] = false;
    if (!held) {
      log.warn("{}: closing {}: accepted over maxConnections", id, ch.remoteAddress());
      ch.close();
    }
  }

  private void admit(ChannelHandlerContext ctx) {
    ctx.channel().closeFuture().addListener(release);
    BackendPool current = pool.get(); // the one read of the live config for this connection
    IdleSweeper sweeper = IdleSweeper.of(ctx.channel().eventLoop(), transport.idleClock());
    ctx.pipeline().replace(this, null, new FrontendHandler(id, current, dialer, sweeper));
  }

  /**
   * A client that waited for a slot: it is already active, so its handler is told so here. One that
   * left while it waited gives the slot back.
   */
  private void admitLate(ChannelHandlerContext ctx) {
    Channel ch = ctx.channel();
    if (!ch.isActive()) {
      backoff.release();
      return;
    }
    admit(ctx);
    ch.pipeline().fireChannelActive();
  }
}
