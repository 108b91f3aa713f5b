package dev.fulcrum.proxy.net.uring;

import dev.fulcrum.proxy.api.Balance;
import dev.fulcrum.proxy.balance.Backend;
import dev.fulcrum.proxy.balance.BackendPool;
import dev.fulcrum.proxy.balance.DialPace;
import dev.fulcrum.proxy.net.AcceptBackoff;
import dev.fulcrum.proxy.net.BackendAddresses;
import dev.fulcrum.proxy.net.BackendLeg;
import dev.fulcrum.proxy.net.Failover;
import dev.fulcrum.proxy.net.IdleSweeper;
import dev.fulcrum.proxy.net.IdleTracked;
import dev.fulcrum.proxy.net.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied connection of the direct data plane: the client's socket, the backend's socket and
 * one ring registration, with no Netty channel, pipeline or promise. It dials a backend the
 * balancer picks (the next one when a dial fails) when that backend's {@link DialPace} lets it,
 * reading nothing from the client until then, then relays each way in a cycle of receive and send:
 * one buffer per direction, so a slow reader stops the other side's reads (back-pressure), and a
 * connection idle for a second gives its buffers back and waits in a poll. When either side ends,
 * what is in flight to the other is sent, then both sockets close.
 *
 * <p>Confined to its event loop, except {@link Leg#close}, which hands over to it.
 */
final class UringConnection extends IdleTracked implements IoUringIoHandle, DialPace.Waiter {
  private static final Logger log = LoggerFactory.getLogger(UringConnection.class);

  private static final short CONNECT = 1;
  static final short CANCEL = 3;
  private static final short OPTION = 4;
  private static final short CLOSE = 5;
  static final short UP_POLL = 10;
  static final short UP_RECV = 11;
  static final short UP_SEND = 12;
  static final short DOWN_POLL = 20;
  static final short DOWN_RECV = 21;
  static final short DOWN_SEND = 22;

  /** A receive starts at this size (a TLS record fits) and doubles up to the maximum while full. */
  static final int MIN_BUFFER = 16 * 1024;

  static final int MAX_BUFFER = 128 * 1024;

  /** A connection that moved no byte for this long gives its buffers back until the next byte. */
  static final long PARK_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** How soon a connection that found no buffer memory tries again. */
  static final long MEMORY_RETRY_MILLIS = 20;

  private final String id;
  private final IoEventLoop loop;
  private final int client;
  private final BackendPool pool;
  private final BackendAddresses<UringOps.Sockaddr> addresses;
  private final AcceptBackoff backoff; // released when the connection ends
  private final Transport transport; // its ring options and idle clock
  private IoRegistration registration;

  private Failover failover; // from the first dial until a backend answers
  private Leg leg; // the backend counted for this client, from the pick until the end
  private int server = -1; // the backend socket's descriptor while it is open
  private boolean optionsBySyscall; // this dial's ring setsockopts were refused
  private long connectOp = -1;
  private long dialStart;
  private ScheduledFuture<?> connectTimer;
  private boolean connectTimedOut;
  private boolean connected;
  private InetSocketAddress clientAddress; // looked up only when needed
  private volatile boolean left; // ended: a wait for a turn is dropped

  private final UringDirection up = new UringDirection(this, true);
  private final UringDirection down = new UringDirection(this, false);

  private int inFlight;
  private boolean ending;
  private boolean stopped; // every poll and receive in flight has been cancelled
  private boolean closing; // both sockets' closes submitted
  private boolean closed;

  UringConnection(
      String id,
      IoEventLoop loop,
      int client,
      BackendPool pool,
      BackendAddresses<UringOps.Sockaddr> addresses,
      AcceptBackoff backoff,
      Transport transport) {
    super(pool.config().timeouts().idleSeconds());
    this.id = id;
    this.loop = loop;
    this.client = client;
    this.pool = pool;
    this.addresses = addresses;
    this.backoff = backoff;
    this.transport = transport;
  }

  // --- what a direction reads of its connection, on the loop ----------------------------------

  int clientSocket() {
    return client;
  }

  int serverSocket() {
    return server;
  }

  IoEventLoop loop() {
    return loop;
  }

  boolean ending() {
    return ending;
  }

  boolean connected() {
    return connected;
  }

  Backend backend() {
    return leg.backend();
  }

  /** Registers on the loop (the caller's) and dials; closes the client when it cannot. */
  void start() {
    registration = loop.register(this).getNow();
    if (registration == null) {
      log.warn("{}: closing a client: its socket could not be registered on the ring", id);
      closeQuietly(new FileDescriptor(client));
      backoff.release();
      return;
    }
    trackIdle(IdleSweeper.of(loop, transport.idleClock()));
    up.poll(); // noted while the backend is dialed, read once it answers
    dial(null);
  }

  // --- dialing -------------------------------------------------------------------------------

  private void dial(String lastFailure) {
    if (failover == null) {
      failover = new Failover(pool, balancedBy());
    }
    Backend backend = failover.next();
    if (backend == null) {
      log.warn("{}: closing client {}: {}", id, clientAddress(), failover.noBackend(lastFailure));
      end();
      closeIfDone();
      return;
    }
    leg = new Leg(backend);
    backend.connectionOpened(leg);
    if (backend.pace().admitOrWait(this)) {
      failover.holding(backend.pace());
      resolve();
    } // else waiting in line: admitted() goes on
  }

  private void resolve() {
    addresses.resolve(leg.backend().config(), loop, this::connect, e -> failed(e.getMessage()));
  }

  /** This client's turn on its backend's pace came (or the wait was cut short); any thread. */
  @Override
  public void admitted() {
    try {
      loop.execute(this::turnCame);
    } catch (RejectedExecutionException shuttingDown) {
      leg.backend().pace().dialDone(); // the loop is gone, and this connection's sockets with it
    }
  }

  @Override
  public boolean gone() {
    return left;
  }

  private void turnCame() {
    Backend backend = leg.backend();
    failover.holding(backend.pace());
    if (ending) {
      releaseSlot();
      closeIfDone();
      return;
    }
    if (failover.goElsewhere(leg)) {
      releaseSlot(); // closed, removed or down while this client waited: it goes elsewhere
      backend.connectionClosed(leg);
      dial(null);
      return;
    }
    resolve();
  }

  private void releaseSlot() {
    if (failover != null) {
      failover.releaseSlot();
    }
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
      releaseSlot();
      leg.backend().connectionClosed(leg); // the client left while the name was resolved
      closeIfDone();
      return;
    }
    boolean viaRing = transport.ringOptions().throughRing();
    try {
      server = UringOps.BackendSocket.open(to.ipv6(), !viaRing);
    } catch (IOException e) {
      // e.g. out of file descriptors: this host's trouble, not the backend's, which stays up
      releaseSlot();
      log.warn(
          "{}: closing client {}: cannot open a backend socket: {}",
          id,
          clientAddress(),
          e.getMessage());
      leg.backend().connectionClosed(leg);
      end();
      closeIfDone();
      return;
    }
    optionsBySyscall = false;
    if (viaRing) { // in the connect's batch: no system call per option
      for (int i = 0; i < UringOps.TCP_OPTION_COUNT; i++) {
        submit(UringOps.setTcpOption(server, i, OPTION));
      }
    }
    dialStart = System.nanoTime();
    connectTimedOut = false;
    connectOp = submit(UringOps.connect(server, to, CONNECT));
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
    releaseSlot();
    connectOp = -1;
    connectTimer.cancel(false);
    connectTimer = null;
    Backend backend = leg.backend();
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
    if (leg.abandoned()) {
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
    failover = null;
    leg.opened();
    backend.dialed(leg.openedAtNanos() - dialStart);
    up.connected(); // reads what the client sent while the dial was in flight or waited
    down.poll();
  }

  private void failed(String why) {
    releaseSlot();
    Backend backend = leg.backend();
    backend.connectionClosed(leg);
    closeServer();
    failover.dialFailed(backend, why);
    log.warn(
        "{}: dial of {} for client {} failed: {}", id, backend.endpoint(), clientAddress(), why);
    if (ending) {
      closeIfDone();
    } else {
      dial(why);
    }
  }

  /**
   * A ring setsockopt's completion. A kernel before 6.7 refuses them all: from then on options are
   * set with system calls, this socket's too.
   */
  private void optionSet(int res) {
    if (res >= 0 || optionsBySyscall || server == -1) {
      return;
    }
    optionsBySyscall = true;
    if (UringOps.refusedByKernel(res) && transport.ringOptions().throughRing()) {
      transport.ringOptions().useSystemCalls();
      log.info(
          "this kernel cannot set socket options through io_uring ({}; Linux 6.7 can):"
              + " backend sockets get them with system calls",
          UringOps.describe(res));
    }
    try {
      UringOps.BackendSocket.setOptions(server);
    } catch (IOException e) {
      log.warn(
          "{}: the backend socket for client {} has no keep-alive or user timeout: {}",
          id,
          clientAddress(),
          e.getMessage());
    }
  }

  // --- relaying -----------------------------------------------------------------------------

  @Override
  public void handle(IoRegistration r, IoEvent event) {
    IoUringIoEvent e = (IoUringIoEvent) event;
    inFlight--;
    int res = e.res();
    try {
      switch (e.data()) {
        case CONNECT -> connected(res);
        case OPTION -> optionSet(res);
        case UP_POLL -> up.polled(res);
        case UP_RECV -> up.received(res);
        case UP_SEND -> up.sent(res);
        case DOWN_POLL -> down.polled(res);
        case DOWN_RECV -> down.received(res);
        case DOWN_SEND -> down.sent(res);
        default -> {} // CANCEL, CLOSE: their own completions
      }
    } catch (RuntimeException bug) { // never let one connection's failure reach the event loop
      log.warn("{}: closing client {} after an unexpected failure", id, clientAddress(), bug);
      end();
    }
    closeIfDone();
  }

  long submit(io.netty.channel.uring.IoUringIoOps op) {
    inFlight++;
    return registration.submit(op);
  }

  static ByteBuf release(ByteBuf b) {
    if (b != null) {
      b.release();
    }
    return null;
  }

  // --- ending -------------------------------------------------------------------------------

  /**
   * One side ended (end of stream, error, idle timeout, drain): bytes already on their way to the
   * other side are sent first, then every poll and receive in flight is cancelled, and once nothing
   * is in flight both sockets close. Idempotent.
   */
  void end() {
    if (ending) {
      return;
    }
    ending = true;
    left = true;
    if (connectOp != -1) {
      submit(UringOps.cancel(connectOp, CANCEL)); // the dial's completion sees ending
    }
  }

  private void closeIfDone() {
    if (!ending || closed) {
      return;
    }
    boolean sending = up.sending() || down.sending();
    if (!stopped && !sending && connectOp == -1) {
      // Cancelled inline in the ring: a shutdown would end them too, but the kernel always hands
      // a shutdown to an io-wq worker thread, a wake-up and a context switch per socket.
      stopped = true;
      up.stop();
      down.stop();
    }
    if (stopped && inFlight == 0 && !closing) { // nothing left to reach either socket
      closing = true;
      up.releaseBuffer();
      down.releaseBuffer();
      submit(UringOps.close(client, CLOSE));
      if (server != -1) {
        submit(UringOps.close(server, CLOSE));
        server = -1;
      }
      return;
    }
    if (closing && inFlight == 0) {
      closed = true;
      registration.cancel();
      untrackIdle();
      if (leg != null) {
        leg.backend().connectionClosed(leg);
      }
      releaseSlot();
      backoff.release();
    }
  }

  private void closeServer() {
    if (server != -1) {
      closeQuietly(new FileDescriptor(server));
      server = -1;
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
    if (clientAddress == null && !closing && !closed) {
      try {
        clientAddress = new Socket(client).remoteAddress();
      } catch (RuntimeException e) {
        log.debug("{}: the client's address is unknown: {}", id, e.toString());
      }
    }
    return clientAddress;
  }

  // --- the idle sweep -----------------------------------------------------------------------

  @Override
  public void swept(long now) {
    if (connected && !ending && now - lastActivity() >= PARK_AFTER_NANOS) {
      up.park();
      down.park();
    }
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
    // Closes already submitted are the ring's: closing again could hit a reused descriptor.
    if (!closed && !closing) {
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
  private final class Leg extends BackendLeg {
    Leg(Backend backend) {
      super(backend);
    }

    @Override
    protected EventLoop loop() {
      return loop;
    }

    @Override
    protected Object clientAddress() {
      return UringConnection.this.clientAddress();
    }

    @Override
    protected void closeOnLoop(String reason) {
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
  }
}
