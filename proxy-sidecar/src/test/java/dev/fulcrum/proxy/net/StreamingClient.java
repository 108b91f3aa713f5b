package dev.fulcrum.proxy.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * A client that streams random bytes through the proxy on one thread and checks the echo on
 * another, keeping CRC32s and byte counts of both directions.
 */
final class StreamingClient implements AutoCloseable {
  private static final int WINDOW = 256 * 1024;

  final String backend;
  private final TestClient client;
  private final Random random;
  private final CRC32 sentCrc = new CRC32();
  private final CRC32 echoedCrc = new CRC32();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong echoed = new AtomicLong();
  // Bounds bytes in flight, so writers cannot run far ahead of the echo.
  private final Semaphore window = new Semaphore(WINDOW);
  private final Thread writer;
  private final Thread reader;
  private volatile boolean stopping;
  private volatile boolean writerDone;
  private volatile String error;

  StreamingClient(InetSocketAddress proxy, long seed) {
    client = TestClient.connect(proxy);
    backend = client.greeting();
    random = new Random(seed);
    writer = new Thread(this::write, "stream-writer-" + seed);
    reader = new Thread(this::read, "stream-reader-" + seed);
    writer.start();
    reader.start();
  }

  private void write() {
    try {
      OutputStream out = client.socket.getOutputStream();
      while (!stopping) {
        byte[] chunk = new byte[1 + random.nextInt(16 * 1024)];
        random.nextBytes(chunk);
        window.acquire(chunk.length);
        sentCrc.update(chunk);
        out.write(chunk);
        sent.addAndGet(chunk.length);
      }
    } catch (IOException | InterruptedException e) {
      error = "write failed after " + sent.get() + " bytes: " + e;
    } finally {
      writerDone = true;
    }
  }

  private void read() {
    byte[] buf = new byte[32 * 1024];
    try {
      client.socket.setSoTimeout(200);
      InputStream in = client.in;
      while (!(writerDone && echoed.get() == sent.get())) {
        int n;
        try {
          n = in.read(buf);
        } catch (SocketTimeoutException idle) {
          continue;
        }
        if (n < 0) {
          error = "connection ended after " + echoed.get() + " echoed bytes";
          return;
        }
        echoedCrc.update(buf, 0, n);
        echoed.addAndGet(n);
        window.release(n);
      }
    } catch (IOException e) {
      error = "read failed after " + echoed.get() + " bytes: " + e;
    }
  }

  long echoed() {
    return echoed.get();
  }

  /** Stops sending and waits until everything sent has come back (or the connection failed). */
  void stopSending() {
    stopping = true;
  }

  Result finish() throws InterruptedException {
    stopping = true;
    writer.join(30_000);
    reader.join(30_000);
    return new Result(
        backend, sent.get(), echoed.get(), sentCrc.getValue(), echoedCrc.getValue(), error);
  }

  /** What one client sent and got back. */
  record Result(
      String backend, long sent, long echoed, long sentCrc, long echoedCrc, String error) {}

  @Override
  public void close() {
    stopping = true;
    client.close();
  }
}
