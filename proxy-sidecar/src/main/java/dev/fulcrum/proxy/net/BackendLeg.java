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
public abstract class BackendLeg implements Connection {
  private final Backend backend;
  private long openedAtNanos = System.nanoTime();

  /** The backend was closed while this dial was in flight: retry elsewhere. On the loop. */
  protected boolean abandoned;

  protected BackendLeg(Backend backend) {
    this.backend = backend;
  }

  /** The loop the connection runs on. */
  protected abstract EventLoop loop();

  /** Closes on {@link #loop()}: marks a dial in flight {@link #abandoned}, else ends both sides. */
  protected abstract void closeOnLoop(String reason);

  /** The client's address, for logs. */
  protected abstract Object clientAddress();

  /** What is left to do when the loop is gone (the process is stopping). */
  protected void closeWithoutLoop() {}

  /** The backend answered: the connection's age counts from now. */
  public final void opened() {
    openedAtNanos = System.nanoTime();
  }

  /** The backend this client was given. */
  public final Backend backend() {
    return backend;
  }

  /** True when the backend was closed while this dial was in flight: retry elsewhere instead. */
  public final boolean abandoned() {
    return abandoned;
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
