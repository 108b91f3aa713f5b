package dev.fulcrum.proxy.net;

import java.util.concurrent.TimeUnit;

/**
 * A proxied connection's part in its event loop's idle sweep, the same on both data planes: when it
 * last moved a byte, its slot in the sweeper, and its timeout. All calls on the connection's loop.
 */
public abstract class IdleTracked implements IdleSweeper.Tracked {
  private final long idleNanos;
  private IdleSweeper sweeper;
  private long lastActivity;
  private int sweepSlot = -1;

  /**
   * @param idleSeconds the connection's idle timeout (its config's timeouts.idleSeconds)
   */
  protected IdleTracked(int idleSeconds) {
    this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
  }

  /** Starts being swept, counting from now. */
  public final void trackIdle(IdleSweeper on) {
    sweeper = on;
    touch();
    on.track(this);
  }

  /** Stops being swept; idempotent, and harmless before {@link #trackIdle}. */
  public final void untrackIdle() {
    if (sweeper != null) {
      sweeper.untrack(this);
    }
  }

  /** Bytes moved either way just now. */
  public final void touch() {
    lastActivity = sweeper.now();
  }

  @Override
  public final long lastActivity() {
    return lastActivity;
  }

  @Override
  public final int sweepSlot() {
    return sweepSlot;
  }

  @Override
  public final void sweepSlot(int slot) {
    sweepSlot = slot;
  }

  @Override
  public final long idleNanos() {
    return idleNanos;
  }
}
