package dev.fulcrum.proxy.net;

import io.netty.channel.Channel;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces maxConnections for one frontend: at the limit it stops reading the listening socket, so
 * new clients wait in the kernel backlog, and resumes when a connection closes.
 */
final class AcceptBackoff {
  private static final Logger log = LoggerFactory.getLogger(AcceptBackoff.class);

  private final String id;
  private final AtomicInteger active = new AtomicInteger();
  private volatile int limit;
  private volatile Channel listener;

  AcceptBackoff(String id, int limit) {
    this.id = id;
    this.limit = limit;
  }

  void attach(Channel listeningChannel) {
    this.listener = listeningChannel;
    adjust();
  }

  void limit(int newLimit) {
    this.limit = newLimit;
    adjust();
  }

  int active() {
    return active.get();
  }

  /**
   * Takes a slot for an accepted connection; false when the frontend is full (accepts in flight
   * when the pause took effect land here and are closed).
   */
  boolean tryAcquire() {
    for (; ; ) {
      int n = active.get();
      int max = limit;
      if (n >= max) {
        adjust();
        return false;
      }
      if (active.compareAndSet(n, n + 1)) {
        if (n + 1 >= max) {
          adjust();
        }
        return true;
      }
    }
  }

  void release() {
    active.decrementAndGet();
    Channel l = listener;
    // Decrement before looking, so a pause racing with this release sees the freed slot.
    if (l != null && !l.config().isAutoRead()) {
      adjust();
    }
  }

  /** Decides on the listener's own event loop from the current count, so the last call wins. */
  private void adjust() {
    Channel l = listener;
    if (l == null) {
      return;
    }
    l.eventLoop()
        .execute(
            () -> {
              boolean accept = active.get() < limit;
              if (l.isOpen() && l.config().isAutoRead() != accept) {
                l.config().setAutoRead(accept);
                if (accept) {
                  log.info("{}: below maxConnections ({}) again; accepting", id, limit);
                } else {
                  log.warn(
                      "{}: at maxConnections ({}); new clients wait in the backlog", id, limit);
                }
              }
            });
  }
}
