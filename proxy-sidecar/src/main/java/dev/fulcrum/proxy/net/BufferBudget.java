package dev.fulcrum.proxy.net;

import io.netty.buffer.ByteBuf;
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

  private static long used() {
    long used = PlatformDependent.usedDirectMemory(); // -1 unless Netty counts it itself
    return used >= 0 ? used : ALLOC.metric().usedDirectMemory();
  }

  /**
   * Whether half the direct memory is in use: then a connection that has sent what it received
   * gives its buffer back and waits for the next bytes without one, as idle connections do.
   */
  static boolean tight() {
    return used() * 2 > PlatformDependent.maxDirectMemory();
  }

  /** A direct buffer of exactly {@code size} bytes, or null when the budget cannot give one now. */
  static ByteBuf allocate(int size) {
    if (used() + HEADROOM > PlatformDependent.maxDirectMemory()) {
      return null;
    }
    try {
      return ALLOC.directBuffer(size, size);
    } catch (OutOfMemoryError e) { // raced to the limit: Netty's own count fails without waiting
      return null;
    }
  }
}
