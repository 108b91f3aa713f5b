package dev.fulcrum.proxy.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.unix.IntegerUnixChannelOption;

/** The socket options both legs of a proxied connection share. */
public final class SocketOptions {
  // Dead peers are found in ~90 s (60 + 3 × 10) instead of the kernel's two hours; unacknowledged
  // data gives up after the same time, so a vanished server cannot hold a client forever.
  public static final int KEEPALIVE_IDLE_SECONDS = 60;
  public static final int KEEPALIVE_INTERVAL_SECONDS = 10;
  public static final int KEEPALIVE_PROBES = 3;
  public static final int USER_TIMEOUT_MILLIS =
      (KEEPALIVE_IDLE_SECONDS + KEEPALIVE_INTERVAL_SECONDS * KEEPALIVE_PROBES) * 1000;
  // Reading one side pauses while the other side holds more than the high mark unsent and resumes
  // below the low mark: enough in flight for a bulk stream, bounded memory for a slow reader.
  public static final WriteBufferWaterMark WATER_MARK =
      new WriteBufferWaterMark(64 * 1024, 256 * 1024);
  // Reads start small (request/response traffic) and grow to 128 KiB for a bulk stream, halving
  // the read and write calls per byte compared with Netty's 64 KiB ceiling.
  public static final AdaptiveRecvByteBufAllocator READS =
      new AdaptiveRecvByteBufAllocator(64, 2048, 128 * 1024);

  // setsockopt(2) names from <netinet/tcp.h> and <sys/socket.h>, understood by both native
  // transports (epoll and io_uring), whose listening-socket configs have no named options for them.
  private static final int SOL_SOCKET = 1;
  private static final int IPPROTO_TCP = 6;
  public static final int IPPROTO_IPV6 = 41;
  public static final int IPV6_V6ONLY_OPT = 26; // <netinet/in.h>
  public static final IntegerUnixChannelOption IPV6_V6ONLY =
      new IntegerUnixChannelOption("IPV6_V6ONLY", IPPROTO_IPV6, IPV6_V6ONLY_OPT);
  public static final IntegerUnixChannelOption NODELAY =
      new IntegerUnixChannelOption("TCP_NODELAY", IPPROTO_TCP, 1);
  public static final IntegerUnixChannelOption KEEPALIVE =
      new IntegerUnixChannelOption("SO_KEEPALIVE", SOL_SOCKET, 9);
  public static final IntegerUnixChannelOption KEEPIDLE =
      new IntegerUnixChannelOption("TCP_KEEPIDLE", IPPROTO_TCP, 4);
  public static final IntegerUnixChannelOption KEEPINTVL =
      new IntegerUnixChannelOption("TCP_KEEPINTVL", IPPROTO_TCP, 5);
  public static final IntegerUnixChannelOption KEEPCNT =
      new IntegerUnixChannelOption("TCP_KEEPCNT", IPPROTO_TCP, 6);
  public static final IntegerUnixChannelOption USER_TIMEOUT =
      new IntegerUnixChannelOption("TCP_USER_TIMEOUT", IPPROTO_TCP, 18);

  private SocketOptions() {}

  /**
   * Options of accepted client connections. With a native transport they are set once on the
   * listening socket, whose TCP_NODELAY, keepalive and user-timeout settings Linux copies to every
   * accepted socket: six fewer system calls per connection than setting them on each child.
   */
  public static void clientSide(ServerBootstrap b, boolean nativeTransport) {
    b.childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .childOption(ChannelOption.RCVBUF_ALLOCATOR, READS)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
    if (nativeTransport) {
      b.option(NODELAY, 1)
          .option(KEEPALIVE, 1)
          .option(KEEPIDLE, KEEPALIVE_IDLE_SECONDS)
          .option(KEEPINTVL, KEEPALIVE_INTERVAL_SECONDS)
          .option(KEEPCNT, KEEPALIVE_PROBES)
          .option(USER_TIMEOUT, USER_TIMEOUT_MILLIS);
    } else {
      b.childOption(ChannelOption.TCP_NODELAY, true).childOption(ChannelOption.SO_KEEPALIVE, true);
    }
  }

  /** Options of connections to backends, set on the channel directly (no Bootstrap per dial). */
  public static void backendSide(ChannelConfig c, boolean nativeTransport, int connectSeconds) {
    c.setAutoRead(false);
    c.setConnectTimeoutMillis(connectSeconds * 1000);
    c.setAllocator(PooledByteBufAllocator.DEFAULT);
    c.setRecvByteBufAllocator(READS);
    c.setWriteBufferWaterMark(WATER_MARK);
    // TCP_NODELAY is already on: Netty's socket configs enable it when they are created.
    c.setOption(ChannelOption.SO_KEEPALIVE, true);
    if (nativeTransport) {
      c.setOption(KEEPIDLE, KEEPALIVE_IDLE_SECONDS);
      c.setOption(KEEPINTVL, KEEPALIVE_INTERVAL_SECONDS);
      c.setOption(KEEPCNT, KEEPALIVE_PROBES);
      c.setOption(USER_TIMEOUT, USER_TIMEOUT_MILLIS);
    }
  }
}
