package dev.fulcrum.proxy.net;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces maxConnections for one frontend: at the limit it stops reading the listening socket, so
 * new clients wait in the kernel backlog, and resumes when a connection closes. A client accepted
 * in the moment before the pause took effect is not closed: it waits, unread, for the next free
 * slot, ahead of the clients still in the backlog.
 */
public final class AcceptBackoff {
  private static final Logger log = LoggerFactory.getLogger(AcceptBackoff.class);

  /**
   * Accepted clients waiting for a slot. Only accepts already in flight when the listener paused
   * land here, a handful at most; the bound is a guard against a listener that does not pause.
   */
  static final int MAX_WAITING = 1024;

  private final String id;
  private final AtomicInteger active = new AtomicInteger();
  private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicInteger waitingCount = new AtomicInteger();
  private volatile int limit;
  private volatile Listener listener;

  AcceptBackoff(String id, int limit) {
    this.id = id;
    this.limit = limit;
  }

  void attach(Listener listeningSocket) {
    this.listener = listeningSocket;
    adjust();
  }

  void limit(int newLimit) {
    this.limit = newLimit;
    admitWaiting();
    adjust();
  }

  /**
   * Runs {@code admit} with a slot taken for it: now when one is free, else when one frees (on the
   * releasing thread, so {@code admit} hands over to the connection's own loop). False when too
   * many clients already wait: the caller closes this one.
   */
  public boolean acquireOrWait(Runnable admit) {
    if (tryAcquire()) {
      admit.run();
      return true;
    }
    if (waitingCount.incrementAndGet() > MAX_WAITING) {
      waitingCount.decrementAndGet();
      return false;
    }
    waiting.add(admit);
    log.debug("{}: a client accepted at maxConnections ({}) waits for a slot", id, limit);
    admitWaiting(); // a slot may have freed between the failed acquire and the add
    return true;
  }

  /** Clients accepted but waiting for a slot. */
  int waiting() {
    return waitingCount.get();
  }

  /** Hands free slots to waiting clients, oldest first; every add and every release calls it. */
  private void admitWaiting() {
    while (!waiting.isEmpty() && tryAcquire()) {
      Runnable admit = waiting.poll();
      if (admit == null) { // another thread took the last one: give the slot back, look again
        active.decrementAndGet();
        continue;
      }
      waitingCount.decrementAndGet();
      admit.run();
    }
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

  public void release() {
    active.decrementAndGet();
    admitWaiting();
    Listener l = listener;
    // Decrement before looking, so a pause racing with this release sees the freed slot.
    if (l != null && !l.accepting()) {
      adjust();
    }
  }

  /** Decides on the listener's own event loop from the current count, so the last call wins. */
  private void adjust() {
    Listener l = listener;
    if (l == null) {
      return;
    }
    l.eventLoop()
        .execute(
            () -> {
              boolean accept = active.get() < limit;
              if (l.isOpen() && l.accepting() != accept) {
                l.accepting(accept);
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
