package dev.fulcrum.proxy.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.channels.spi.SelectorProvider;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loops and channel classes of this process. Listening sockets share the data-plane
 * loops, so an accepted connection is set up on the thread that accepted it without a hand-off, and
 * {@code workerThreads: 1} really is one thread.
 */
public final class Transport implements AutoCloseable {
  static final int RING_SIZE = 4096;
  static final int CQ_SIZE = 16384;

  /** An I/O mechanism; {@link #choose} falls back to the next one the kernel offers. */
  public enum Kind {
    /**
     * io_uring without Netty channels on the data plane: each proxied connection is one object that
     * submits its own accepts, connects, polls, receives and sends (see net.uring.UringConnection).
     */
    IO_URING("io_uring"),
    EPOLL("epoll"),
    NIO("nio");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    /** The name used in proxy.yaml and in logs. */
    public String label() {
      return label;
    }

    /** Parses a proxy.yaml value; null when unknown. */
    public static Kind parse(String value) {
      for (Kind k : values()) {
        if (k.label.equals(value.toLowerCase(Locale.ROOT))) {
          return k;
        }
      }
      return null;
    }

    boolean available() {
      return switch (this) {
        case IO_URING -> IoUring.isAvailable();
        case EPOLL -> Epoll.isAvailable();
        case NIO -> true;
      };
    }

    /** Why the kernel does not offer this kind, or null when it does. */
    Throwable unavailabilityCause() {
      return switch (this) {
        case IO_URING -> IoUring.unavailabilityCause();
        case EPOLL -> Epoll.unavailabilityCause();
        case NIO -> null;
      };
    }

    /** This kind if the kernel offers it, else the best one below it. */
    public Kind choose() {
      Kind[] all = values();
      for (int i = ordinal(); i < all.length; i++) {
        if (all[i].available()) {
          return all[i];
        }
      }
      return NIO;
    }
  }

  /**
   * io_uring, direct: on this project's benchmark Netty's io_uring channels spent about a third
   * less CPU per new proxied connection than epoll, because accepts, connects, reads and writes are
   * batched into one system call per loop turn; without the channels a connection also costs ~20 µs
   * less user time and ~2.3 KB less heap (bench/results.md).
   */
  public static final Kind DEFAULT_KIND = Kind.IO_URING;

  private static final Logger log = LoggerFactory.getLogger(Transport.class);

  private final Kind kind;
  private final EventLoopGroup workers;
  private final RingOptions ringOptions = new RingOptions();
  private final IdleClock idleClock;

  /**
   * @param workerThreads data-plane event loops (0 = Netty's default, twice the cores)
   * @param preferred the mechanism wanted; a lesser one is used when the kernel lacks it
   */
  public Transport(int workerThreads, Kind preferred) {
    this(workerThreads, preferred, IdleClock.SYSTEM);
  }

  /**
   * @param idleClock what the idle sweep of proxied connections reads, and how often it runs
   */
  public Transport(int workerThreads, Kind preferred, IdleClock idleClock) {
    this.idleClock = idleClock;
    this.kind = preferred.choose();
    if (kind != preferred) {
      // e.g. io_uring inside a container whose seccomp profile forbids it: still fast, but say so.
      Throwable why = preferred.unavailabilityCause();
      log.warn(
          "{} is not available ({}); using {}",
          preferred.label(),
          why == null ? "unknown cause" : why.getMessage(),
          kind.label());
    }
    IoHandlerFactory handlers =
        switch (kind) {
          // A reconnect storm puts thousands of polls, receives and dials in flight at once: a
          // ring and completion queue this size take them without overflowing to the kernel's
          // backlog (256 KiB of SQEs, 256 KiB of CQEs per loop).
          case IO_URING ->
              IoUringIoHandler.newFactory(
                  new IoUringIoHandlerConfig().setRingSize(RING_SIZE).setCqSize(CQ_SIZE));
          case EPOLL -> EpollIoHandler.newFactory();
          case NIO -> NioIoHandler.newFactory();
        };
    this.workers =
        new MultiThreadIoEventLoopGroup(
            workerThreads, new DefaultThreadFactory("fulcrum-io"), handlers);
  }

  public IdleClock idleClock() {
    return idleClock;
  }

  /** How the direct data plane sets backend socket options, for every socket of this transport. */
  public RingOptions ringOptions() {
    return ringOptions;
  }

  public Kind kind() {
    return kind;
  }

  /** True when proxied connections bypass Netty channels ({@link Kind#IO_URING}). */
  public boolean direct() {
    return kind == Kind.IO_URING;
  }

  /** True for the Linux-native transports, whose sockets take raw socket options. */
  public boolean isNative() {
    return kind != Kind.NIO;
  }

  /** The loops listening sockets are registered on: the workers themselves. */
  public EventLoopGroup acceptors() {
    return workers;
  }

  public EventLoopGroup workers() {
    return workers;
  }

  /**
   * A new listening channel for the channel data plane (epoll, NIO). IPv4 listeners get an IPv4
   * socket: on an IPv6 one, Netty and the JDK bind {@code 0.0.0.0} as {@code ::}, which serves IPv6
   * too and takes the port from an IPv6 frontend beside it.
   */
  public ServerChannel newServerChannel(boolean ipv4) {
    SocketProtocolFamily family = ipv4 ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
    return switch (kind) {
      case IO_URING ->
          throw new IllegalStateException("io_uring listens through UringListener, not a channel");
      case EPOLL -> new EpollServerSocketChannel(family);
      case NIO -> new NioServerSocketChannel(SelectorProvider.provider(), family);
    };
  }

  public Class<? extends SocketChannel> socketChannelClass() {
    return switch (kind) {
      case IO_URING -> IoUringSocketChannel.class;
      case EPOLL -> EpollSocketChannel.class;
      case NIO -> NioSocketChannel.class;
    };
  }

  /** A new unregistered client socket, without the reflection a Bootstrap's factory uses. */
  public SocketChannel newSocketChannel() {
    return switch (kind) {
      case IO_URING -> new IoUringSocketChannel();
      case EPOLL -> new EpollSocketChannel();
      case NIO -> new NioSocketChannel();
    };
  }

  @Override
  public void close() {
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
