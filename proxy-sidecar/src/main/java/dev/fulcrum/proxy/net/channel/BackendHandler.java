package dev.fulcrum.proxy.net.channel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The backend side of a proxied connection: relays the server's bytes back to the client. */
final class BackendHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(BackendHandler.class);

  private final String id;
  private final FrontendHandler frontend;
  private final Channel inbound;
  private final ProxiedConnection connection;

  BackendHandler(String id, FrontendHandler frontend, ProxiedConnection connection) {
    this.id = id;
    this.frontend = frontend;
    this.inbound = frontend.inbound();
    this.connection = connection;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buf) {
      connection.backend().addBytesFromBackend(buf.readableBytes());
    }
    frontend.touch();
    inbound.write(msg, inbound.voidPromise()); // a failed write closes the client side
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    inbound.flush();
    if (!inbound.isWritable()) {
      ctx.channel().config().setAutoRead(false); // resumed by the client's writability change
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      inbound.config().setAutoRead(true); // the backend drained what the client sent
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    connection.unregister();
    FrontendHandler.closeOnFlush(inbound);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    FrontendHandler.logFailure(log, id, "backend " + connection.backend().endpoint(), cause);
    FrontendHandler.closeOnFlush(ctx.channel());
  }
}
