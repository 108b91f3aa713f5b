package dev.fulcrum.proxy.net.uring;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.TimeUnit;

/**
 * One way through the proxy: receive from one socket, send everything to the other, receive again.
 * While bytes flow a receive stays posted with its buffer (no extra turn per read); a connection
 * idle for {@link UringConnection#PARK_AFTER_NANOS} gives its buffers back and waits in a poll.
 */
final class UringDirection {
  private final UringConnection c;
  private final boolean up; // client to backend
  private final short pollTag;
  private final short recvTag;
  private final short sendTag;
  private ByteBuf buf;
  private int size =
      UringConnection.MIN_BUFFER; // the next receive's; doubles while receives fill it
  private int length; // bytes received and not yet all sent
  private int sent;
  private long recvOp = -1;
  private long pollOp = -1;
  private boolean sending;
  private boolean parked;
  private boolean readable; // the client's poll fired before a backend answered

  UringDirection(UringConnection c, boolean up) {
    this.c = c;
    this.up = up;
    this.pollTag = up ? UringConnection.UP_POLL : UringConnection.DOWN_POLL;
    this.recvTag = up ? UringConnection.UP_RECV : UringConnection.DOWN_RECV;
    this.sendTag = up ? UringConnection.UP_SEND : UringConnection.DOWN_SEND;
  }

  private int from() {
    return up ? c.clientSocket() : c.serverSocket();
  }

  private int to() {
    return up ? c.serverSocket() : c.clientSocket();
  }

  /** The backend answered: receives what the client sent meanwhile, if it did. */
  void connected() {
    if (readable) {
      readable = false;
      receive();
    }
  }

  /** Waits for bytes without a buffer: a new or idle connection holds none. */
  void poll() {
    pollOp = c.submit(UringOps.poll(from(), pollTag));
  }

  /** Posts a receive with a buffer: bytes are flowing, so the next ones come straight in. */
  void receive() {
    if (c.ending()) {
      return;
    }
    if (buf == null) {
      buf = BufferBudget.allocate(size);
      if (buf == null) { // direct memory is at its limit: this connection waits, the loop goes on
        waitForMemory();
        return;
      }
    }
    recvOp = c.submit(UringOps.recv(from(), buf.memoryAddress(), buf.capacity(), recvTag));
  }

  /** Tries the receive again a little later, when other connections may have given buffers back. */
  private void waitForMemory() {
    BufferBudget.waited();
    c.loop().schedule(this::receive, UringConnection.MEMORY_RETRY_MILLIS, TimeUnit.MILLISECONDS);
  }

  void received(int res) {
    recvOp = -1;
    if (parked && res == -UringOps.ECANCELED) {
      parked = false;
      buf = UringConnection.release(buf);
      if (!c.ending()) {
        poll();
      }
      return;
    }
    parked = false;
    if (res <= 0 || c.ending()) {
      buf = UringConnection.release(buf);
      c.end();
      return;
    }
    c.touch();
    if (res == buf.capacity() && size < UringConnection.MAX_BUFFER) {
      size <<= 1; // a bulk stream: fewer, larger receives from the next one on
    }
    length = res;
    sent = 0;
    count(res);
    send();
  }

  /** Counted on receipt, as the channel data plane does. */
  private void count(int bytes) {
    if (up) {
      c.backend().addBytesToBackend(bytes);
    } else {
      c.backend().addBytesFromBackend(bytes);
    }
  }

  void send() {
    sending = true;
    c.submit(UringOps.send(to(), buf.memoryAddress() + sent, length - sent, sendTag));
  }

  void sent(int res) {
    if (res < 0) {
      sending = false;
      length = 0;
      buf = UringConnection.release(buf);
      c.end();
      return;
    }
    sent += res;
    if (sent < length) {
      send();
      return;
    }
    sending = false;
    length = 0;
    boolean tight = BufferBudget.tight();
    if (c.ending() || buf.capacity() < size || tight) {
      buf = UringConnection.release(buf);
    }
    if (c.ending()) {
      return;
    }
    if (tight) {
      poll(); // short of memory: wait for the next bytes without holding a buffer
    } else {
      receive();
    }
  }

  void polled(int res) {
    pollOp = -1;
    if (res < 0 || c.ending()) {
      c.end();
    } else if (up && !c.connected()) {
      readable = true; // no buffer until a backend answers: a waiting client holds none
    } else {
      receive();
    }
  }

  /** Idle: cancels the posted receive; its completion returns the buffer and starts a poll. */
  void park() {
    if (recvOp != -1 && !parked) {
      parked = true;
      c.submit(UringOps.cancel(recvOp, UringConnection.CANCEL));
    }
  }

  /** The connection ends: cancels this direction's poll or receive, if one is in flight. */
  void stop() {
    if (pollOp != -1) {
      c.submit(UringOps.cancel(pollOp, UringConnection.CANCEL));
    } else if (recvOp != -1 && !parked) { // a parked receive's cancel is already in flight
      c.submit(UringOps.cancel(recvOp, UringConnection.CANCEL));
    }
  }

  boolean sending() {
    return sending;
  }

  void releaseBuffer() {
    buf = UringConnection.release(buf);
  }
}
