package dev.fulcrum.proxy.net.uring;

import dev.fulcrum.proxy.net.Listener;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening socket of the direct data plane: one multishot accept on the ring hands each new
 * client's descriptor to {@code onAccept}. Pausing (maxConnections) cancels the accept, so clients
 * wait in the kernel's backlog; resuming submits it again.
 */
final class UringListener implements IoUringIoHandle, Listener {
  private static final Logger log = LoggerFactory.getLogger(UringListener.class);
  private static final short ACCEPT = 1;
  private static final short CANCEL = 2;
  private static final short CLOSE = 3;
  // After EMFILE/ENFILE the accept is submitted again after this pause, not in a busy loop.
  private static final long RETRY_MILLIS = 100;

  private final String id;
  private final IoEventLoop loop;
  private final UringOps.ListenSocket socket;
  private final InetSocketAddress local;
  private final IntConsumer onAccept;
  // Confined to the loop.
  private IoRegistration registration;
  private long acceptOp = -1; // the multishot accept in flight, or -1
  private volatile boolean accepting = true; // read by releases on other loops
  private volatile boolean open = true;
  private final CompletableFuture<Void> acceptEnded = new CompletableFuture<>();

  private UringListener(
      String id, IoEventLoop loop, UringOps.ListenSocket socket, IntConsumer onAccept) {
    this.id = id;
    this.loop = loop;
    this.socket = socket;
    this.local = socket.localAddress();
    this.onAccept = onAccept;
  }

  /**
   * Binds and starts accepting on one loop of {@code group}; never call from an event loop.
   *
   * @param onAccept gets each accepted descriptor, on the listener's loop
   */
  static UringListener bind(
      String id,
      EventLoopGroup group,
      InetSocketAddress at,
      boolean v6Only,
      int backlog,
      IntConsumer onAccept)
      throws IOException {
    UringOps.ListenSocket socket = UringOps.ListenSocket.open(at, v6Only, backlog);
    IoEventLoop loop = (IoEventLoop) group.next();
    UringListener l = new UringListener(id, loop, socket, onAccept);
    try {
      loop.submit(
              () -> {
                // On the loop's own thread registration completes at once (no waiting here).
                l.registration = loop.register(l).getNow();
                if (l.registration == null) {
                  throw new IllegalStateException("the ring did not register the socket");
                }
                l.arm();
              })
          .syncUninterruptibly();
    } catch (RuntimeException e) {
      socket.close();
      throw new IOException("cannot register the listening socket: " + e.getMessage(), e);
    }
    return l;
  }

  @Override
  public InetSocketAddress localAddress() {
    return local;
  }

  private void arm() {
    if (open && accepting && acceptOp == -1) {
      acceptOp = registration.submit(UringOps.acceptMultishot(socket.intValue(), ACCEPT));
    }
  }

  @Override
  public void handle(IoRegistration r, IoEvent event) {
    IoUringIoEvent e = (IoUringIoEvent) event;
    if (e.data() != ACCEPT) {
      return; // a cancel's or the close's own completion
    }
    int res = e.res();
    boolean more = (e.flags() & UringOps.CQE_F_MORE) != 0;
    if (!more) {
      acceptOp = -1;
      if (!open) {
        acceptEnded.complete(null);
      }
    }
    if (res >= 0) {
      if (open) {
        onAccept.accept(res);
      } else {
        registration.submit(UringOps.close(res, CLOSE));
      }
    } else if (res == -24 || res == -23) { // EMFILE, ENFILE: out of descriptors
      log.warn("{}: cannot accept: out of file descriptors; retrying in {} ms", id, RETRY_MILLIS);
      loop.schedule(this::arm, RETRY_MILLIS, TimeUnit.MILLISECONDS);
      return;
    } else if (res != -UringOps.ECANCELED) {
      log.debug("{}: accept failed: {}", id, UringOps.describe(res));
    }
    if (!more) {
      arm();
    }
  }

  @Override
  public EventLoop eventLoop() {
    return loop;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public boolean accepting() {
    return open && accepting;
  }

  @Override
  public void accepting(boolean accept) {
    accepting = accept;
    if (accept) {
      arm();
    } else if (acceptOp != -1) {
      registration.submit(UringOps.cancel(acceptOp, CANCEL));
    }
  }

  /**
   * Stops accepting and closes the listening socket once the ring has let go of it, so the port can
   * be bound again at once; never from an event loop.
   */
  @Override
  public void stop() {
    if (!open) {
      return;
    }
    loop.submit(
            () -> {
              open = false;
              if (acceptOp == -1) {
                acceptEnded.complete(null);
              } else {
                registration.submit(UringOps.cancel(acceptOp, CANCEL));
              }
            })
        // bounded: a stop must end even when the loop is stuck
        .awaitUninterruptibly(2, TimeUnit.SECONDS);
    try {
      acceptEnded.get(2, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      log.warn("{}: the accept on {} was not cancelled within 2 s; closing anyway", id, local);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    }
    closeSocket();
    loop.execute(() -> registration.cancel());
  }

  /** Netty closes the handles still registered when the loop shuts down; on the loop. */
  @Override
  public void close() {
    open = false;
    closeSocket();
  }

  private void closeSocket() {
    try {
      if (socket.isOpen()) {
        socket.close();
      }
    } catch (IOException e) {
      log.debug("{}: closing the listening socket: {}", id, e.toString());
    }
  }
}
