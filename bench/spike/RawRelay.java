import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.unix.Socket;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoOps;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A measurement spike, not product code: a TCP relay on Netty 4.2's public io_uring handle API
 * (no channels, no pipeline, no promises), to learn what a connection costs below Netty's channel
 * layer. One object per connection holds both sockets and submits accept, connect, recv, send,
 * shutdown and close itself. No health checks, balancing, metrics, timeouts or back-pressure
 * beyond one buffer per direction: it answers "how much CPU and heap is Netty's channel layer".
 *
 * <pre>
 * java -cp proxy-sidecar/target/fulcrum-proxy.jar bench/spike/RawRelay.java 9543 127.0.0.11 8080
 * </pre>
 */
public final class RawRelay {
  // io_uring opcodes (linux/io_uring.h) and flags; Netty's own constants are package-private.
  static final byte OP_ACCEPT = 13, OP_CONNECT = 16, OP_CLOSE = 19, OP_SEND = 26, OP_RECV = 27;
  static final byte OP_SHUTDOWN = 34, OP_POLL_ADD = 6;
  static final int POLLIN = 0x1;
  static final boolean POLL_FIRST = Boolean.getBoolean("pollFirst");
  static final short ACCEPT_MULTISHOT = 1;
  static final int CQE_F_MORE = 1 << 1;
  static final int SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000, MSG_NOSIGNAL = 0x4000;
  static final int SHUT_WR = 1, SHUT_RDWR = 2;
  static final int BUF = 16 * 1024;

  static ByteBuffer backendAddress;
  static long backendAddressMemory;

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: RawRelay LISTEN_PORT BACKEND_HOST BACKEND_PORT (listens on 127.0.0.1)");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    InetAddress backendHost = InetAddress.getByName(args[1]);
    int backendPort = Integer.parseInt(args[2]);
    backendAddress = sockaddrIn6(backendHost, backendPort);
    backendAddressMemory = io.netty.util.internal.PlatformDependent.directBufferAddress(backendAddress);

    MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory());
    IoEventLoop loop = (IoEventLoop) group.next();
    Socket listener = Socket.newSocketStream();
    listener.setReuseAddress(true);
    listener.setTcpNoDelay(true); // accepted sockets inherit it
    listener.bind(new InetSocketAddress("127.0.0.1", port));
    listener.listen(4096);
    Acceptor acceptor = new Acceptor(loop, listener.intValue());
    loop.submit(
            () -> {
              acceptor.reg = loop.register(acceptor).getNow();
              acceptor.arm();
            })
        .sync();
    System.out.println(
        "raw relay on 127.0.0.1:" + port + " -> " + args[1] + ":" + backendPort
            + (POLL_FIRST ? " (poll first: idle connections hold no buffer)" : ""));
    Thread.currentThread().join();
  }

  /** sockaddr_in6 with the IPv4-mapped address: Netty's sockets are dual-stack IPv6 sockets. */
  static ByteBuffer sockaddrIn6(InetAddress host, int port) {
    ByteBuffer b = ByteBuffer.allocateDirect(28).order(ByteOrder.nativeOrder());
    b.putShort(0, (short) 10); // AF_INET6
    b.put(2, (byte) (port >> 8)).put(3, (byte) port);
    byte[] a = host.getAddress();
    if (a.length == 4) {
      b.put(18, (byte) 0xff).put(19, (byte) 0xff);
      for (int i = 0; i < 4; i++) {
        b.put(20 + i, a[i]);
      }
    } else {
      for (int i = 0; i < 16; i++) {
        b.put(8 + i, a[i]);
      }
    }
    return b;
  }

  static IoUringIoOps op(byte opcode, short ioPrio, int fd, long off, long addr, int len, int opFlags, short data) {
    return new IoUringIoOps(opcode, (byte) 0, ioPrio, fd, off, addr, len, opFlags, data, (short) 0, (short) 0, 0, 0L);
  }

  static final class Acceptor implements IoUringIoHandle {
    final IoEventLoop loop;
    final int fd;
    IoRegistration reg;

    Acceptor(IoEventLoop loop, int fd) {
      this.loop = loop;
      this.fd = fd;
    }

    void arm() {
      reg.submit(op(OP_ACCEPT, ACCEPT_MULTISHOT, fd, 0, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC, (short) 0));
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
      IoUringIoEvent e = (IoUringIoEvent) event;
      if (e.res() >= 0) {
        try {
          new Relay(loop, e.res()).start();
        } catch (Exception ex) {
          ex.printStackTrace();
        }
      }
      if ((e.flags() & CQE_F_MORE) == 0) {
        arm();
      }
    }

    @Override
    public void close() {}
  }

  /**
   * One proxied connection: both sockets, one registration. With {@code POLL_FIRST} an idle
   * direction holds no buffer: it waits in a poll and borrows a pooled buffer only from readiness
   * until the bytes are sent on; otherwise a receive with its own buffer stays posted.
   */
  static final class Relay implements IoUringIoHandle {
    static final short CONNECT = 1, RECV_C = 2, RECV_B = 3, SEND_B = 4, SEND_C = 5, SHUT = 6, CLOSE = 7;
    static final short POLL_C = 8, POLL_B = 9;
    final int cfd;
    final int bfd;
    final IoRegistration reg;
    ByteBuf c2b, b2c; // client to backend, backend to client; null while idle with POLL_FIRST
    int pendingC2B, sentC2B, pendingB2C, sentB2C;
    boolean connected, clientEof, backendEof, failed, closing;
    int inFlight, closes;

    Relay(IoEventLoop loop, int cfd) throws Exception {
      this.cfd = cfd;
      Socket backend = Socket.newSocketStream();
      backend.setTcpNoDelay(true);
      this.bfd = backend.intValue();
      // On the loop's own thread registration completes at once.
      this.reg = loop.register(this).getNow();
      if (reg == null) {
        throw new IllegalStateException("registration did not complete on the loop");
      }
    }

    void start() {
      submit(op(OP_CONNECT, (short) 0, bfd, 28, backendAddressMemory, 0, 0, CONNECT));
      readClient();
    }

    void submit(IoUringIoOps o) {
      inFlight++;
      reg.submit(o);
    }

    static ByteBuf buffer() {
      return PooledByteBufAllocator.DEFAULT.directBuffer(BUF, BUF);
    }

    void readClient() {
      if (POLL_FIRST) {
        submit(poll(cfd, POLL_C));
      } else {
        if (c2b == null) {
          c2b = buffer();
        }
        recv(cfd, c2b, RECV_C);
      }
    }

    void readBackend() {
      if (POLL_FIRST) {
        submit(poll(bfd, POLL_B));
      } else {
        if (b2c == null) {
          b2c = buffer();
        }
        recv(bfd, b2c, RECV_B);
      }
    }

    static IoUringIoOps poll(int fd, short tag) {
      return new IoUringIoOps(OP_POLL_ADD, (byte) 0, (short) 0, fd, 0L, 0L, 0, POLLIN, tag, (short) 0, (short) 0, 0, 0L);
    }

    void recv(int fd, ByteBuf buf, short tag) {
      submit(op(OP_RECV, (short) 0, fd, 0, buf.memoryAddress(), BUF, 0, tag));
    }

    void send(int fd, ByteBuf buf, int from, int to, short tag) {
      submit(op(OP_SEND, (short) 0, fd, 0, buf.memoryAddress() + from, to - from, MSG_NOSIGNAL, tag));
    }

    void releaseIfPolling(boolean clientSide) {
      if (!POLL_FIRST) {
        return;
      }
      if (clientSide && c2b != null) {
        c2b.release();
        c2b = null;
      } else if (!clientSide && b2c != null) {
        b2c.release();
        b2c = null;
      }
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
      IoUringIoEvent e = (IoUringIoEvent) event;
      inFlight--;
      int res = e.res();
      switch (e.data()) {
        case CONNECT -> {
          if (res < 0 || failed) {
            fail();
            break;
          }
          connected = true;
          readBackend();
          if (pendingC2B > 0) {
            send(bfd, c2b, 0, pendingC2B, SEND_B);
          } else if (clientEof) {
            submit(op(OP_SHUTDOWN, (short) 0, bfd, 0, 0, SHUT_WR, 0, SHUT));
          }
        }
        case POLL_C -> {
          if (res < 0 || failed) {
            fail();
          } else {
            c2b = buffer();
            recv(cfd, c2b, RECV_C);
          }
        }
        case POLL_B -> {
          if (res < 0 || failed) {
            fail();
          } else {
            b2c = buffer();
            recv(bfd, b2c, RECV_B);
          }
        }
        case RECV_C -> {
          if (res < 0 || failed) {
            fail();
          } else if (res == 0) {
            clientEof = true;
            releaseIfPolling(true);
            if (connected) {
              submit(op(OP_SHUTDOWN, (short) 0, bfd, 0, 0, SHUT_WR, 0, SHUT));
            }
          } else {
            pendingC2B = res;
            sentC2B = 0;
            if (connected) {
              send(bfd, c2b, 0, res, SEND_B);
            }
          }
        }
        case SEND_B -> {
          if (res < 0 || failed) {
            fail();
          } else if ((sentC2B += res) < pendingC2B) {
            send(bfd, c2b, sentC2B, pendingC2B, SEND_B);
          } else {
            pendingC2B = 0;
            releaseIfPolling(true);
            readClient();
          }
        }
        case RECV_B -> {
          if (res < 0 || failed) {
            fail();
          } else if (res == 0) {
            backendEof = true;
            releaseIfPolling(false);
            submit(op(OP_SHUTDOWN, (short) 0, cfd, 0, 0, SHUT_WR, 0, SHUT));
          } else {
            pendingB2C = res;
            sentB2C = 0;
            send(cfd, b2c, 0, res, SEND_C);
          }
        }
        case SEND_C -> {
          if (res < 0 || failed) {
            fail();
          } else if ((sentB2C += res) < pendingB2C) {
            send(cfd, b2c, sentB2C, pendingB2C, SEND_C);
          } else {
            pendingB2C = 0;
            releaseIfPolling(false);
            readBackend();
          }
        }
        case CLOSE -> {
          if (++closes == 2) {
            reg.cancel();
            if (c2b != null) {
              c2b.release();
            }
            if (b2c != null) {
              b2c.release();
            }
          }
          return;
        }
        default -> {}
      }
      if ((clientEof && backendEof || failed) && inFlight == 0 && !closing) {
        closing = true;
        submit(op(OP_CLOSE, (short) 0, cfd, 0, 0, 0, 0, CLOSE));
        submit(op(OP_CLOSE, (short) 0, bfd, 0, 0, 0, 0, CLOSE));
      }
    }

    void fail() {
      if (!failed) {
        failed = true;
        // Wakes the other side's pending poll or recv; the sockets close once nothing is in flight.
        submit(op(OP_SHUTDOWN, (short) 0, cfd, 0, 0, SHUT_RDWR, 0, SHUT));
        submit(op(OP_SHUTDOWN, (short) 0, bfd, 0, 0, SHUT_RDWR, 0, SHUT));
      }
    }

    @Override
    public void close() {}
  }
}
