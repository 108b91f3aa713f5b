package dev.fulcrum.proxy.vip;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A client in its own namespace that opens connection after connection to an address (each must be
 * greeted by the server's first line), as fast as one at a time allows, and counts the ones that
 * fail and the longest time without an answered one.
 */
final class ClientLoop {
  /**
   * @param slowestMillis the longest single attempt (a SYN retried after a VIP move shows here)
   * @param longestGapMillis the longest time between two answered connections
   * @param refused failed connections that were refused or reset (a closed listener, no process);
   *     the others were accepted but never greeted
   */
  record Result(
      long attempts, long failed, long refused, long slowestMillis, long longestGapMillis) {}

  private final NetnsLab lab;
  private final String ns;
  private final String host;
  private final int port;
  private final AtomicLong attempts = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong succeeded = new AtomicLong();
  private volatile boolean running = true;
  private long slowestNanos;
  private long longestGapNanos;
  private Thread thread;

  ClientLoop(NetnsLab lab, String ns, String host, int port) {
    this.lab = lab;
    this.ns = ns;
    this.host = host;
    this.port = port;
  }

  ClientLoop start() {
    thread = new Thread(this::run, "client-loop");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  long succeeded() {
    return succeeded.get();
  }

  private void run() {
    long lastAnswer = System.nanoTime();
    while (running) {
      long started = System.nanoTime();
      attempts.incrementAndGet();
      boolean ok;
      try {
        ok = !lab.firstLine(ns, host, port).isEmpty();
      } catch (Exception e) {
        ok = false;
        String m = String.valueOf(e.getMessage());
        if (m.contains("refused") || m.contains("reset")) {
          refused.incrementAndGet();
        }
      }
      long now = System.nanoTime();
      slowestNanos = Math.max(slowestNanos, now - started);
      if (ok) {
        longestGapNanos = Math.max(longestGapNanos, now - lastAnswer);
        lastAnswer = now;
        succeeded.incrementAndGet();
      } else {
        failed.incrementAndGet();
      }
    }
  }

  Result stop() throws InterruptedException {
    running = false;
    thread.join();
    return new Result(
        attempts.get(),
        failed.get(),
        refused.get(),
        slowestNanos / 1_000_000,
        longestGapNanos / 1_000_000);
  }
}
