package dev.fulcrum.proxy.net;

/**
 * Whether the direct data plane sets a backend socket's options through the ring (one batch with
 * its connect) or with one system call each: through the ring until this kernel (before Linux 6.7)
 * refuses a ring setsockopt, then with system calls for every later socket of this transport.
 */
public final class RingOptions {
  private volatile boolean throughRing = true;

  public boolean throughRing() {
    return throughRing;
  }

  /** From now on, system calls: the kernel refused a ring setsockopt (or a test asks for it). */
  public void useSystemCalls() {
    throughRing = false;
  }
}
