package dev.fulcrum.proxy.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;

/** The socket options both legs of a proxied connection share. */
final class SocketOptions {
  // Dead peers are found in ~90 s (60 + 3 × 10) instead of the kernel's two hours; unacknowledged
  // data gives up after the same time, so a vanished server cannot hold a client forever.
  static final int KEEPALIVE_IDLE_SECONDS = 60;
  static final int KEEPALIVE_INTERVAL_SECONDS = 10;
  static final int KEEPALIVE_PROBES = 3;
  static final int USER_TIMEOUT_MILLIS =
      (KEEPALIVE_IDLE_SECONDS + KEEPALIVE_INTERVAL_SECONDS * KEEPALIVE_PROBES) * 1000;
  // Reading one side pauses while the other side holds more than the high mark unsent and resumes
  // below the low mark: enough in flight for a bulk stream, bounded memory for a slow reader.
  static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

  private SocketOptions() {}

  /** Options of accepted client connections. */
  static void clientSide(ServerBootstrap b, boolean epoll) {
    b.childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
    if (epoll) {
      b.childOption(EpollChannelOption.TCP_KEEPIDLE, KEEPALIVE_IDLE_SECONDS)
          .childOption(EpollChannelOption.TCP_KEEPINTVL, KEEPALIVE_INTERVAL_SECONDS)
          .childOption(EpollChannelOption.TCP_KEEPCNT, KEEPALIVE_PROBES)
          .childOption(EpollChannelOption.TCP_USER_TIMEOUT, USER_TIMEOUT_MILLIS);
    }
  }

  /** Options of connections to backends, set on the channel directly (no Bootstrap per dial). */
  static void backendSide(ChannelConfig c, boolean epoll, int connectSeconds) {
    c.setAutoRead(false);
    c.setConnectTimeoutMillis(connectSeconds * 1000);
    c.setAllocator(PooledByteBufAllocator.DEFAULT);
    c.setWriteBufferWaterMark(WATER_MARK);
    c.setOption(ChannelOption.TCP_NODELAY, true);
    c.setOption(ChannelOption.SO_KEEPALIVE, true);
    if (epoll) {
      c.setOption(EpollChannelOption.TCP_KEEPIDLE, KEEPALIVE_IDLE_SECONDS);
      c.setOption(EpollChannelOption.TCP_KEEPINTVL, KEEPALIVE_INTERVAL_SECONDS);
      c.setOption(EpollChannelOption.TCP_KEEPCNT, KEEPALIVE_PROBES);
      c.setOption(EpollChannelOption.TCP_USER_TIMEOUT, USER_TIMEOUT_MILLIS);
    }
  }
}
