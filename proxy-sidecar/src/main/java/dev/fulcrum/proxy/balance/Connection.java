package dev.fulcrum.proxy.balance;

/** A proxied client connection as the balancing layer sees it; implemented by the data plane. */
public interface Connection {
  /** {@link System#nanoTime()} when the connection to the backend was established. */
  long openedAtNanos();

  /** Closes both sides; safe from any thread, idempotent. */
  void close(String reason);
}
