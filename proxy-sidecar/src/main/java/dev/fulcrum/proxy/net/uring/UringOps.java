package dev.fulcrum.proxy.net.uring;

import dev.fulcrum.proxy.net.SocketOptions;
import io.netty.channel.ChannelException;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.channel.uring.IoUringIoOps;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The io_uring operations and socket plumbing of the direct data plane. Netty 4.2 makes the ring's
 * submission API public ({@link IoUringIoOps}'s constructor) but keeps its opcode constants and
 * factories package-private, so the kernel ABI numbers (linux/io_uring.h, sys/socket.h) are here.
 */
final class UringOps {
  static final byte OP_POLL_ADD = 6;
  static final byte OP_ACCEPT = 13;
  static final byte OP_ASYNC_CANCEL = 14;
  static final byte OP_CONNECT = 16;
  static final byte OP_CLOSE = 19;
  static final byte OP_SEND = 26;
  static final byte OP_RECV = 27;
  static final byte OP_URING_CMD = 46;

  static final short ACCEPT_MULTISHOT = 1; // in the SQE's ioprio
  static final int CQE_F_MORE = 1 << 1;
  static final int POLLIN = 0x1;
  static final int SOCK_NONBLOCK = 0x800;
  static final int SOCK_CLOEXEC = 0x80000;
  static final int MSG_NOSIGNAL = 0x4000;
  static final int ECANCELED = 125;
  static final int EINVAL = 22;
  static final int EOPNOTSUPP = 95;

  private static final int SOCKET_URING_OP_SETSOCKOPT = 3; // the uring_cmd's cmd_op, Linux 6.7+

  private static final int SOL_SOCKET = 1;
  private static final int IPPROTO_TCP = 6;
  private static final int SO_KEEPALIVE = 9;
  private static final int TCP_NODELAY = 1;
  private static final int TCP_KEEPIDLE = 4;
  private static final int TCP_KEEPINTVL = 5;
  private static final int TCP_KEEPCNT = 6;
  private static final int TCP_USER_TIMEOUT = 18;

  /**
   * No Nagle, and keep-alive plus a user timeout so a vanished peer is noticed within ~90 s (the
   * values of {@link SocketOptions}, which sets the same on the channel data plane): level, name,
   * value.
   */
  private static final int[][] TCP_OPTIONS = {
    {IPPROTO_TCP, TCP_NODELAY, 1},
    {SOL_SOCKET, SO_KEEPALIVE, 1},
    {IPPROTO_TCP, TCP_KEEPIDLE, SocketOptions.KEEPALIVE_IDLE_SECONDS},
    {IPPROTO_TCP, TCP_KEEPINTVL, SocketOptions.KEEPALIVE_INTERVAL_SECONDS},
    {IPPROTO_TCP, TCP_KEEPCNT, SocketOptions.KEEPALIVE_PROBES},
    {IPPROTO_TCP, TCP_USER_TIMEOUT, SocketOptions.USER_TIMEOUT_MILLIS},
  };

  static final int TCP_OPTION_COUNT = TCP_OPTIONS.length;

  /** The options' values as native ints, read by the kernel when a ring setsockopt is issued. */
  private static final ByteBuffer OPTION_VALUES =
      ByteBuffer.allocateDirect(4 * TCP_OPTIONS.length).order(ByteOrder.nativeOrder());

  private static final long OPTION_VALUES_ADDRESS =
      PlatformDependent.directBufferAddress(OPTION_VALUES);

  static {
    for (int i = 0; i < TCP_OPTIONS.length; i++) {
      OPTION_VALUES.putInt(4 * i, TCP_OPTIONS[i][2]);
    }
  }

  private UringOps() {}

  /** Whether a failed ring setsockopt means this kernel cannot do them at all (before 6.7). */
  static boolean refusedByKernel(int res) {
    return res == -EOPNOTSUPP || res == -EINVAL;
  }

  static IoUringIoOps op(
      byte opcode, short ioPrio, int fd, long off, long addr, int len, int opFlags, short tag) {
    return new IoUringIoOps(
        opcode, (byte) 0, ioPrio, fd, off, addr, len, opFlags, tag, (short) 0, (short) 0, 0, 0L);
  }

  static IoUringIoOps poll(int fd, short tag) {
    return op(OP_POLL_ADD, (short) 0, fd, 0, 0, 0, POLLIN, tag);
  }

  static IoUringIoOps recv(int fd, long address, int length, short tag) {
    return op(OP_RECV, (short) 0, fd, 0, address, length, 0, tag);
  }

  static IoUringIoOps send(int fd, long address, int length, short tag) {
    return op(OP_SEND, (short) 0, fd, 0, address, length, MSG_NOSIGNAL, tag);
  }

  static IoUringIoOps close(int fd, short tag) {
    return op(OP_CLOSE, (short) 0, fd, 0, 0, 0, 0, tag);
  }

  static IoUringIoOps cancel(long userData, short tag) {
    return op(OP_ASYNC_CANCEL, (short) 0, -1, 0, userData, 0, 0, tag);
  }

  static IoUringIoOps connect(int fd, Sockaddr to, short tag) {
    return op(OP_CONNECT, (short) 0, fd, to.length(), to.address(), 0, 0, tag);
  }

  /** The i-th of the backend socket's TCP options, set through the ring (Linux 6.7+). */
  static IoUringIoOps setTcpOption(int fd, int i, short tag) {
    int[] o = TCP_OPTIONS[i];
    long levelAndName = (o[0] & 0xFFFFFFFFL) | ((long) o[1] << 32); // sqe.level, sqe.optname
    return new IoUringIoOps(
        OP_URING_CMD,
        (byte) 0,
        (short) 0,
        fd,
        SOCKET_URING_OP_SETSOCKOPT, // sqe.cmd_op
        levelAndName,
        0,
        0,
        tag,
        (short) 0,
        (short) 0,
        4, // sqe.optlen
        OPTION_VALUES_ADDRESS + 4L * i); // sqe.optval
  }

  static IoUringIoOps acceptMultishot(int fd, short tag) {
    return op(OP_ACCEPT, ACCEPT_MULTISHOT, fd, 0, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC, tag);
  }

  /** "connection refused (ECONNREFUSED)"-style text for a negative completion result. */
  static String describe(int res) {
    return switch (-res) {
      case 111 -> "connection refused";
      case 110 -> "connection timed out";
      case 113 -> "no route to host";
      case 101 -> "network unreachable";
      case 104 -> "connection reset by peer";
      case 32 -> "broken pipe";
      case ECANCELED -> "cancelled";
      default -> "errno " + -res;
    };
  }

  /** A socket address in native memory, built once per endpoint and shared by every dial to it. */
  record Sockaddr(InetSocketAddress endpoint, ByteBuffer memory, long address, int length) {
    static Sockaddr of(InetSocketAddress endpoint) {
      ByteBuffer b = ByteBuffer.allocateDirect(28).order(ByteOrder.nativeOrder());
      int port = endpoint.getPort();
      int length;
      if (endpoint.getAddress() instanceof Inet4Address v4) {
        b.putShort(0, (short) 2); // AF_INET
        b.put(2, (byte) (port >> 8)).put(3, (byte) port);
        byte[] a = v4.getAddress();
        for (int i = 0; i < 4; i++) {
          b.put(4 + i, a[i]);
        }
        length = 16;
      } else {
        Inet6Address v6 = (Inet6Address) endpoint.getAddress();
        b.putShort(0, (short) 10); // AF_INET6
        b.put(2, (byte) (port >> 8)).put(3, (byte) port);
        byte[] a = v6.getAddress();
        for (int i = 0; i < 16; i++) {
          b.put(8 + i, a[i]);
        }
        b.putInt(24, v6.getScopeId());
        length = 28;
      }
      return new Sockaddr(endpoint, b, PlatformDependent.directBufferAddress(b), length);
    }

    boolean ipv6() {
      return length == 28;
    }
  }

  /** {@link #TCP_OPTIONS} with one system call each. */
  private static void tcpOptions(Socket s) throws IOException {
    for (int[] o : TCP_OPTIONS) {
      s.setIntOpt(o[0], o[1], o[2]);
    }
  }

  /**
   * Backend sockets: non-blocking TCP in the endpoint's own family (no dual-stack IPv6 socket for
   * an IPv4 backend), held as a bare descriptor: Netty's {@link Socket} object would ask the kernel
   * for the address family it was just given.
   */
  static final class BackendSocket extends Socket {
    private BackendSocket(int fd) {
      super(fd);
    }

    /**
     * A new backend socket's descriptor; with {@code withOptions} its {@link #TCP_OPTIONS} are set
     * here, else the caller sets them through the ring ({@link #setTcpOption}).
     *
     * @throws IOException when the kernel gives no socket (e.g. out of file descriptors)
     */
    static int open(boolean ipv6, boolean withOptions) throws IOException {
      int fd;
      try {
        fd = newSocketStream0(ipv6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET);
      } catch (ChannelException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        throw new IOException(cause.getMessage(), cause);
      }
      if (withOptions) {
        try {
          setOptions(fd);
        } catch (IOException e) {
          new FileDescriptor(fd).close();
          throw e;
        }
      }
      return fd;
    }

    /** {@link #TCP_OPTIONS} with one system call each. */
    static void setOptions(int fd) throws IOException {
      tcpOptions(new BackendSocket(fd));
    }
  }

  /** The listening socket, whose TCP options Linux copies to every accepted socket. */
  static final class ListenSocket extends Socket {
    private ListenSocket(int fd) {
      super(fd);
    }

    static ListenSocket open(InetSocketAddress at, boolean v6Only, int backlog) throws IOException {
      boolean ipv6 = at.getAddress() instanceof Inet6Address;
      ListenSocket s =
          new ListenSocket(
              newSocketStream0(ipv6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET));
      try {
        s.setReuseAddress(true);
        if (v6Only) {
          s.setIntOpt(SocketOptions.IPPROTO_IPV6, SocketOptions.IPV6_V6ONLY_OPT, 1);
        }
        tcpOptions(s); // copied by Linux to every accepted socket: none set per client
        s.bind(at);
        s.listen(backlog);
        return s;
      } catch (IOException e) {
        s.close();
        throw e;
      }
    }
  }
}
