package dev.fulcrum.proxy.net;

import dev.fulcrum.proxy.balance.BackendPool;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sets up an accepted client connection against the pool current at accept time. */
final class FrontendInitializer extends ChannelInitializer<SocketChannel> {
  private static final Logger log = LoggerFactory.getLogger(FrontendInitializer.class);

  private final String id;
  private final BackendDialer dialer;
  private final AtomicReference<BackendPool> pool;
  private final AcceptBackoff backoff;

  FrontendInitializer(
      String id, Transport transport, AtomicReference<BackendPool> pool, AcceptBackoff backoff) {
    this.id = id;
    this.dialer = new BackendDialer(id, transport);
    this.pool = pool;
    this.backoff = backoff;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    if (!backoff.tryAcquire()) {
      log.warn("{}: closing {}: accepted over maxConnections", id, ch.remoteAddress());
      ch.close();
      return;
    }
    ch.closeFuture().addListener(f -> backoff.release());
    BackendPool current = pool.get(); // the one read of the live config for this connection
    ch.pipeline()
        .addLast(
            new IdleStateHandler(0, 0, current.config().timeouts().idleSeconds(), TimeUnit.SECONDS),
            new FrontendHandler(id, current, dialer));
  }
}
