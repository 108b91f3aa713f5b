package dev.fulcrum.proxy.net;

import dev.fulcrum.proxy.balance.Backend;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The backend side of a proxied connection: relays the server's bytes back to the client. */
final class BackendHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(BackendHandler.class);

  private final String id;
  private final Channel inbound;
  private final Backend backend;

  BackendHandler(String id, Channel inbound, Backend backend) {
    this.id = id;
    this.inbound = inbound;
    this.backend = backend;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buf) {
      backend.addBytesFromBackend(buf.readableBytes());
    }
    inbound
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
    FrontendHandler.closeOnFlush(inbound);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    FrontendHandler.logFailure(log, id, "backend " + backend.endpoint(), cause);
    FrontendHandler.closeOnFlush(ctx.channel());
  }
}
