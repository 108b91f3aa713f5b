package dev.fulcrum.proxy.net;

import dev.fulcrum.proxy.api.Balance;
import dev.fulcrum.proxy.balance.Backend;
import dev.fulcrum.proxy.balance.BackendPool;
import dev.fulcrum.proxy.balance.Connection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied connection of the direct data plane: the client's socket, the backend's socket and
 * one ring registration, with no Netty channel, pipeline or promise. It dials a backend the
 * balancer picks (the next one when a dial fails), then relays each way in a cycle of poll, receive
 * and send: a direction borrows a pooled buffer only from readiness until its bytes are sent, so an
 * idle connection holds no buffer, and a slow reader stops the other side's reads (back-pressure).
 * When either side ends, what is in flight to the other is sent, then both sockets close.
 *
 * <p>Confined to its event loop, except {@link Leg#close}, which hands over to it.
 */
final class UringConnection implements IoUringIoHandle, IdleSweeper.Tracked {
  private static final Logger log = LoggerFactory.getLogger(UringConnection.class);

  private static final short CONNECT = 1;
  private static final short POLL_CLIENT = 2;
  private static final short POLL_BACKEND = 3;
  private static final short RECV_CLIENT = 4;
  private static final short RECV_BACKEND = 5;
  private static final short SEND_BACKEND = 6;
  private static final short SEND_CLIENT = 7;
  private static final short SHUTDOWN = 8;
  private static final short CANCEL = 9;

  /** Bytes one receive may take; a buffer is held only while its bytes are on their way. */
  static final int BUFFER = 64 * 1024;

  private final String id;
  private final IoEventLoop loop;
  private final int client;
  private final BackendPool pool;
  private final UringDialer dialer;
  private final Runnable onClosed;
  private IoRegistration registration;

  private final List<Backend> tried = new ArrayList<>(2);
  private Leg leg; // the backend counted for this client, from the pick until the end
  private UringOps.BackendSocket server;
  private long connectOp = -1;
  private long dialStart;
  private ScheduledFuture<?> connectTimer;
  private boolean connectTimedOut;
  private boolean connected;
  private InetSocketAddress clientAddress; // looked up only when needed

  private ByteBuf toBackend;
  private int toBackendLength; // > 0 while a send to the backend is in flight
  private int toBackendSent;
  private ByteBuf toClient;
  private int toClientLength; // > 0 while a send to the client is in flight
  private int toClientSent;

  private int inFlight;
  private boolean ending;
  private boolean shutDown;
  private boolean closed;
  private long lastActivity;
  private int sweepSlot = -1;

  UringConnection(
      String id,
      IoEventLoop loop,
      int client,
      BackendPool pool,
      UringDialer dialer,
      Runnable onClosed) {
    this.id = id;
    this.loop = loop;
    this.client = client;
    this.pool = pool;
    this.dialer = dialer;
    this.onClosed = onClosed;
  }

  /** Registers on the loop (the caller's) and dials; closes the client when it cannot. */
  void start() {
    registration = loop.register(this).getNow();
    if (registration == null) {
      log.warn("{}: closing a client: its socket could not be registered on the ring", id);
      closeQuietly(new FileDescriptor(client));
      onClosed.run();
      return;
    }
    touch();
    IdleSweeper.of(loop).track(this);
    dial(null);
  }

  // --- dialing -------------------------------------------------------------------------------

  private void dial(String lastFailure) {
    Backend backend = pool.balancer().pick(pool.backends(), balancedBy(), tried::contains);
    if (backend == null) {
      String why =
          tried.isEmpty()
              ? "no backend is configured"
              : "no backend accepted (" + tried.size() + " tried)";
      log.warn(
          "{}: closing client {}: {}{}",
          id,
          clientAddress(),
          why,
          lastFailure == null ? "" : "; last: " + lastFailure);
      end();
      closeIfDone();
      return;
    }
    tried.add(backend);
    leg = new Leg(backend);
    backend.connectionOpened(leg);
    dialer.resolve(backend.config(), loop, this::connect, e -> failed(e.getMessage()));
  }

  /** The client's address for source hashing; null for the balancers that do not use it. */
  private InetAddress balancedBy() {
    if (pool.config().balance() != Balance.SOURCE_HASH) {
      return null;
    }
    InetSocketAddress a = clientAddress();
    return a == null ? null : a.getAddress();
  }

  private void connect(UringOps.Sockaddr to) {
    if (ending) {
      leg.backend.connectionClosed(leg); // the client left while the name was resolved
      closeIfDone();
      return;
    }
    try {
      server = UringOps.BackendSocket.open(to.ipv6());
    } catch (IOException e) {
      failed("cannot open a socket: " + e.getMessage()); // e.g. out of file descriptors
      return;
    }
    dialStart = System.nanoTime();
    connectTimedOut = false;
    connectOp = submit(UringOps.connect(server.intValue(), to, CONNECT));
    int seconds = pool.config().timeouts().connectSeconds();
    connectTimer =
        loop.schedule(
            () -> {
              if (connectOp != -1) {
                connectTimedOut = true;
                submit(UringOps.cancel(connectOp, CANCEL));
              }
            },
            seconds,
            TimeUnit.SECONDS);
  }

  private void connected(int res) {
    connectOp = -1;
    connectTimer.cancel(false);
    Backend backend = leg.backend;
    if (ending) {
      backend.connectionClosed(leg); // the client left or idled out while this dial was in flight
      closeServer();
      return;
    }
    if (res < 0) {
      failed(
          connectTimedOut
              ? "connect timed out after " + pool.config().timeouts().connectSeconds() + "s"
              : UringOps.describe(res));
      return;
    }
    if (leg.abandoned) {
      backend.connectionClosed(leg);
      closeServer();
      log.info(
          "{}: {} was closed while dialing for client {}; trying the next backend",
          id,
          backend.endpoint(),
          clientAddress());
      dial(null);
      return;
    }
    connected = true;
    leg.openedAtNanos = System.nanoTime();
    backend.dialed(leg.openedAtNanos - dialStart);
    // Both sides are read only now: the connection was counted before any byte flows either way.
    submit(UringOps.poll(client, POLL_CLIENT));
    submit(UringOps.poll(server.intValue(), POLL_BACKEND));
  }

  private void failed(String why) {
    Backend backend = leg.backend;
    backend.connectionClosed(leg); // before markDown, whose closeAll must not reach this client
    closeServer();
    backend.connectFailed();
    backend.markDown("connect failed: " + why);
    log.warn(
        "{}: dial of {} for client {} failed: {}", id, backend.endpoint(), clientAddress(), why);
    if (ending) {
      closeIfDone();
    } else {
      dial(why);
    }
  }

  // --- relaying -----------------------------------------------------------------------------

  @Override
  public void handle(IoRegistration r, IoEvent event) {
    IoUringIoEvent e = (IoUringIoEvent) event;
    inFlight--;
    int res = e.res();
    switch (e.data()) {
      case CONNECT -> connected(res);
      case POLL_CLIENT -> {
        if (res < 0 || ending) {
          end();
        } else {
          toBackend = buffer();
          submit(UringOps.recv(client, toBackend.memoryAddress(), BUFFER, RECV_CLIENT));
        }
      }
      case POLL_BACKEND -> {
        if (res < 0 || ending) {
          end();
        } else {
          toClient = buffer();
          submit(UringOps.recv(server.intValue(), toClient.memoryAddress(), BUFFER, RECV_BACKEND));
        }
      }
      case RECV_CLIENT -> {
        if (res <= 0 || ending) {
          toBackend = release(toBackend);
          end();
        } else {
          leg.backend.addBytesToBackend(res);
          touch();
          toBackendLength = res;
          toBackendSent = 0;
          submit(UringOps.send(server.intValue(), toBackend.memoryAddress(), res, SEND_BACKEND));
        }
      }
      case RECV_BACKEND -> {
        if (res <= 0 || ending) {
          toClient = release(toClient);
          end();
        } else {
          leg.backend.addBytesFromBackend(res);
          touch();
          toClientLength = res;
          toClientSent = 0;
          submit(UringOps.send(client, toClient.memoryAddress(), res, SEND_CLIENT));
        }
      }
      case SEND_BACKEND -> {
        if (res >= 0 && (toBackendSent += res) < toBackendLength) {
          submit(
              UringOps.send(
                  server.intValue(),
                  toBackend.memoryAddress() + toBackendSent,
                  toBackendLength - toBackendSent,
                  SEND_BACKEND));
        } else {
          toBackend = release(toBackend);
          toBackendLength = 0;
          if (res < 0 || ending) {
            end();
          } else {
            submit(UringOps.poll(client, POLL_CLIENT));
          }
        }
      }
      case SEND_CLIENT -> {
        if (res >= 0 && (toClientSent += res) < toClientLength) {
          submit(
              UringOps.send(
                  client,
                  toClient.memoryAddress() + toClientSent,
                  toClientLength - toClientSent,
                  SEND_CLIENT));
        } else {
          toClient = release(toClient);
          toClientLength = 0;
          if (res < 0 || ending) {
            end();
          } else {
            submit(UringOps.poll(server.intValue(), POLL_BACKEND));
          }
        }
      }
      default -> {} // SHUTDOWN, CANCEL: their own completions
    }
    closeIfDone();
  }

  private long submit(io.netty.channel.uring.IoUringIoOps op) {
    inFlight++;
    return registration.submit(op);
  }

  private static ByteBuf buffer() {
    return PooledByteBufAllocator.DEFAULT.directBuffer(BUFFER, BUFFER);
  }

  private static ByteBuf release(ByteBuf b) {
    if (b != null) {
      b.release();
    }
    return null;
  }

  // --- ending -------------------------------------------------------------------------------

  /**
   * One side ended (end of stream, error, idle timeout, drain): bytes already on their way to the
   * other side are sent first, then both sockets are shut down, which ends every poll and receive
   * in flight, and once nothing is in flight both close. Idempotent.
   */
  private void end() {
    ending = true;
    if (connectOp != -1) {
      submit(UringOps.cancel(connectOp, CANCEL)); // the dial's completion sees ending
    }
  }

  private void closeIfDone() {
    if (!ending || closed) {
      return;
    }
    boolean sending = toBackendLength > 0 || toClientLength > 0;
    if (!shutDown && !sending && connectOp == -1) {
      shutDown = true;
      submit(UringOps.shutdown(client, SHUTDOWN));
      if (server != null) {
        submit(UringOps.shutdown(server.intValue(), SHUTDOWN));
      }
    }
    if (shutDown && inFlight == 0) {
      closed = true;
      toBackend = release(toBackend);
      toClient = release(toClient);
      closeServer();
      closeQuietly(new FileDescriptor(client));
      registration.cancel();
      IdleSweeper.of(loop).untrack(this);
      if (leg != null) {
        leg.backend.connectionClosed(leg);
      }
      onClosed.run();
    }
  }

  private void closeServer() {
    if (server != null) {
      closeQuietly(server);
      server = null;
    }
  }

  private static void closeQuietly(FileDescriptor fd) {
    try {
      fd.close();
    } catch (IOException e) {
      log.debug("closing a socket: {}", e.toString());
    }
  }

  private InetSocketAddress clientAddress() {
    if (clientAddress == null && !closed) {
      try {
        clientAddress = new Socket(client).remoteAddress();
      } catch (RuntimeException e) {
        log.debug("{}: the client's address is unknown: {}", id, e.toString());
      }
    }
    return clientAddress;
  }

  // --- the idle sweep -----------------------------------------------------------------------

  private void touch() {
    lastActivity = System.nanoTime();
  }

  @Override
  public long lastActivity() {
    return lastActivity;
  }

  @Override
  public int sweepSlot() {
    return sweepSlot;
  }

  @Override
  public void sweepSlot(int slot) {
    sweepSlot = slot;
  }

  @Override
  public long idleNanos() {
    return TimeUnit.SECONDS.toNanos(pool.config().timeouts().idleSeconds());
  }

  @Override
  public void closeIdle() {
    log.debug(
        "{}: closing client {}: no traffic for {}s",
        id,
        clientAddress(),
        pool.config().timeouts().idleSeconds());
    end();
    closeIfDone();
  }

  /** Netty closes the handles still registered when the loop shuts down; on the loop. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      closeServer();
      closeQuietly(new FileDescriptor(client));
    }
  }

  /**
   * This client on one backend, from the pick until the connection ends: what the backend counts,
   * drains and closes. A dial that fails or is abandoned ends its leg; the next backend gets a new
   * one, so a late close meant for the old backend cannot reach the new.
   */
  private final class Leg implements Connection {
    final Backend backend;
    long openedAtNanos = System.nanoTime();
    boolean abandoned; // on the loop

    Leg(Backend backend) {
      this.backend = backend;
    }

    @Override
    public long openedAtNanos() {
      return openedAtNanos;
    }

    @Override
    public void close(String reason) {
      try {
        loop.execute(() -> closeOnLoop(reason));
      } catch (RejectedExecutionException shuttingDown) {
        // the loop is gone, and its sockets with it
      }
    }

    private void closeOnLoop(String reason) {
      if (leg != this || closed) {
        return;
      }
      if (!connected) {
        abandoned = true; // still dialing: the client has seen nothing yet, so it moves on
        return;
      }
      log.debug("{}: closing {}: {}", id, this, reason);
      end();
      closeIfDone();
    }

    @Override
    public String toString() {
      return clientAddress() + " -> " + backend.config().name() + " " + backend.endpoint();
    }
  }
}
