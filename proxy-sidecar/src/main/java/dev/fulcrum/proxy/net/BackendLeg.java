package dev.fulcrum.proxy.net;

import dev.fulcrum.proxy.balance.Backend;
import dev.fulcrum.proxy.balance.Connection;
import io.netty.channel.EventLoop;
import java.util.concurrent.RejectedExecutionException;

/**
 * One client on one backend, from the pick until the connection ends, on either data plane: what
 * the backend counts, drains and closes. A close comes from any thread (a drain, the rebalancer)
 * and runs on the connection's event loop.
 */
abstract class BackendLeg implements Connection {
  final Backend backend;
  private long openedAtNanos = System.nanoTime();

  /** The backend was closed while this dial was in flight: retry elsewhere. On the loop. */
  boolean abandoned;

  BackendLeg(Backend backend) {
    this.backend = backend;
  }

  /** The loop the connection runs on. */
  abstract EventLoop loop();

  /** Closes on {@link #loop()}: marks a dial in flight {@link #abandoned}, else ends both sides. */
  abstract void closeOnLoop(String reason);

  /** The client's address, for logs. */
  abstract Object clientAddress();

  /** What is left to do when the loop is gone (the process is stopping). */
  void closeWithoutLoop() {}

  /** The backend answered: the connection's age counts from now. */
  final void opened() {
    openedAtNanos = System.nanoTime();
  }

  @Override
  public final long openedAtNanos() {
    return openedAtNanos;
  }

  @Override
  public final void close(String reason) {
    try {
      loop().execute(() -> closeOnLoop(reason));
    } catch (RejectedExecutionException shuttingDown) {
      closeWithoutLoop();
    }
  }

  @Override
  public String toString() {
    return clientAddress() + " -> " + backend.config().name() + " " + backend.endpoint();
  }
}
