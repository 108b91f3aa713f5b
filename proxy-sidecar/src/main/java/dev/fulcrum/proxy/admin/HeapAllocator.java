package dev.fulcrum.proxy.admin;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;

/**
 * The admin listener's allocator: Java heap only, never the direct memory and pool that proxied
 * connections use, so a flood of admin requests cannot starve the data plane.
 */
final class HeapAllocator extends AbstractByteBufAllocator {
  static final HeapAllocator INSTANCE = new HeapAllocator();

  private HeapAllocator() {
    super(false);
  }

  @Override
  protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
    return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
  }

  @Override
  protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
    return newHeapBuffer(initialCapacity, maxCapacity);
  }

  @Override
  public boolean isDirectBufferPooled() {
    return false;
  }
}
