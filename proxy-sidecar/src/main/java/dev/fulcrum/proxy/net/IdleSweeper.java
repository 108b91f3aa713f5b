package dev.fulcrum.proxy.net;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Closes the proxied connections of one event loop that moved no bytes either way for their idle
 * timeout. One sweep a second walks the loop's connections and compares timestamps, instead of a
 * scheduled timer per connection (about 120 bytes each, and a priority-queue insert and removal per
 * connection): a connection costs a slot in a list and two fields, and a read only stores a
 * timestamp. A connection is closed between its timeout and one second after it; no sweep runs
 * while the loop has no connections.
 */
public final class IdleSweeper implements Runnable {

  /** A connection the sweeper watches; all calls on its event loop. */
  public interface Tracked {
    /** {@link IdleSweeper#now()} of the last byte moved either way. */
    long lastActivity();

    /** The sweeper's slot for this connection, -1 when not tracked. */
    int sweepSlot();

    void sweepSlot(int slot);

    long idleNanos();

    void closeIdle();

    /** Called on every sweep of a connection that stays open, with the sweep's time. */
    default void swept(long now) {}
  }

  private static final FastThreadLocal<IdleSweeper> OF_LOOP = new FastThreadLocal<>();

  private final EventLoop loop;
  private final java.util.function.LongSupplier clock;
  private final long periodNanos;
  // Confined to the loop. Unordered: removal moves the last entry into the freed slot.
  private final ArrayList<Tracked> tracked = new ArrayList<>();
  private boolean scheduled;

  private IdleSweeper(EventLoop loop, IdleClock clock) {
    this.loop = loop;
    this.clock = clock.nanos();
    this.periodNanos = clock.period().toNanos();
  }

  /** The sweeper of the event loop running this call; call on that loop. */
  public static IdleSweeper of(EventLoop loop, IdleClock clock) {
    IdleSweeper sweeper = OF_LOOP.get();
    if (sweeper == null || sweeper.loop != loop) {
      sweeper = new IdleSweeper(loop, clock);
      OF_LOOP.set(sweeper);
    }
    return sweeper;
  }

  /** This sweeper's time, what connections stamp their activity with. */
  long now() {
    return clock.getAsLong();
  }

  /** Starts watching a connection whose {@code lastActivity} was just set. */
  void track(Tracked connection) {
    connection.sweepSlot(tracked.size());
    tracked.add(connection);
    if (!scheduled) {
      scheduled = true;
      loop.schedule(this, periodNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Stops watching; idempotent. */
  void untrack(Tracked connection) {
    int slot = connection.sweepSlot();
    if (slot < 0) {
      return;
    }
    connection.sweepSlot(-1);
    Tracked last = tracked.remove(tracked.size() - 1);
    if (last != connection) {
      tracked.set(slot, last);
      last.sweepSlot(slot);
    }
  }

  int tracked() {
    return tracked.size();
  }

  @Override
  public void run() {
    long now = clock.getAsLong();
    // Backwards, so the entry moved into a freed slot has been looked at already.
    for (int i = tracked.size() - 1; i >= 0; i--) {
      Tracked c = tracked.get(i);
      if (now - c.lastActivity() >= c.idleNanos()) {
        untrack(c);
        c.closeIdle();
      } else {
        c.swept(now);
      }
    }
    scheduled = !tracked.isEmpty();
    if (scheduled) {
      loop.schedule(this, periodNanos, TimeUnit.NANOSECONDS);
    }
  }
}
