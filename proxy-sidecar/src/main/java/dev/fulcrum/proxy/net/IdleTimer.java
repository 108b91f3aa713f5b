package dev.fulcrum.proxy.net;

import io.netty.channel.Channel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Fires once a proxied connection has moved no bytes either way for its idle timeout, with one
 * timer per connection that re-arms itself instead of any work per write (IdleStateHandler adds a
 * listener to every write), and only a timestamp per read.
 */
final class IdleTimer implements Runnable {
  private final Channel channel;
  private final long idleNanos;
  private final Runnable onIdle;
  // Confined to the channel's event loop, like every reader and writer of the connection.
  private long lastActivity;
  private ScheduledFuture<?> task;

  IdleTimer(Channel channel, int idleSeconds, Runnable onIdle) {
    this.channel = channel;
    this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
    this.onIdle = onIdle;
  }

  /** Arms the timer; call on the channel's event loop. */
  void start() {
    lastActivity = System.nanoTime();
    task = channel.eventLoop().schedule(this, idleNanos, TimeUnit.NANOSECONDS);
  }

  /** Bytes moved on either side. */
  void touch() {
    lastActivity = System.nanoTime();
  }

  /** Disarms the timer, so a closed connection is not kept reachable until it would have fired. */
  void stop() {
    ScheduledFuture<?> t = task;
    if (t != null) {
      t.cancel(false);
      task = null;
    }
  }

  @Override
  public void run() {
    if (task == null || !channel.isOpen()) {
      return;
    }
    long quietFor = System.nanoTime() - lastActivity;
    if (quietFor >= idleNanos) {
      task = null;
      onIdle.run();
    } else {
      task = channel.eventLoop().schedule(this, idleNanos - quietFor, TimeUnit.NANOSECONDS);
    }
  }
}
