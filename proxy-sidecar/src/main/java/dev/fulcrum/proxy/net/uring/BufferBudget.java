package dev.fulcrum.proxy.net.uring;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.util.concurrent.atomic.LongAdder;

/**
 * The direct data plane's receive buffers, bounded by the JVM's direct memory limit ({@code
 * -XX:MaxDirectMemorySize}). Near the limit a connection gets no buffer (it waits and tries again,
 * or reads into none while idle) instead of an allocation that, on the JDK's path, sleeps and
 * retries on the event loop before it fails.
 */
public final class BufferBudget {
  private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

  /** Room kept free: a new pool chunk must fit, or the pool would go to the JDK and wait. */
  private static final long HEADROOM =
      Math.min(2L * ALLOC.metric().chunkSize(), PlatformDependent.maxDirectMemory() / 4);

  private static final LongAdder WAITS = new LongAdder();

  private BufferBudget() {}

  /** Receives that found direct memory at its limit and waited (fulcrum_direct_memory_waits). */
  public static long waits() {
    return WAITS.sum();
  }

  static void waited() {
    WAITS.increment();
  }

  /** Bytes of direct buffers in use now (not what the pool holds in reserve). */
  private static long active() {
    long active = 0;
    for (PoolArenaMetric arena : ALLOC.metric().directArenas()) {
      active += arena.numActiveBytes();
    }
    return active;
  }

  /**
   * Whether half the direct memory is in use: then a connection that has sent what it received
   * gives its buffer back and waits for the next bytes without one, as idle connections do.
   */
  static boolean tight() {
    long half = PlatformDependent.maxDirectMemory() / 2;
    long reserved = PlatformDependent.usedDirectMemory(); // what the pool holds: one atomic read
    // Only when the pool itself has grown past half is it worth summing what is really in use.
    return (reserved < 0 || reserved > half) && active() > half;
  }

  /** A direct buffer of exactly {@code size} bytes, or null when the budget cannot give one now. */
  static ByteBuf allocate(int size) {
    // When Netty counts direct memory itself (the shipped flags), an allocation past the limit
    // fails at once: just try. Otherwise the JDK would sleep before failing: keep clear of it.
    if (PlatformDependent.usedDirectMemory() < 0
        && active() + HEADROOM > PlatformDependent.maxDirectMemory()) {
      return null;
    }
    try {
      return ALLOC.directBuffer(size, size);
    } catch (OutOfMemoryError e) { // raced to the limit: Netty's own count fails without waiting
      return null;
    }
  }
}
