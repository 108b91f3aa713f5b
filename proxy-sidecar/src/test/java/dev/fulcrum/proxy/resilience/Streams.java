package dev.fulcrum.proxy.resilience;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;

/**
 * One long-lived client stream through the proxy: learns its server from the greeting, then counts
 * every byte it sends and every byte that comes back intact.
 */
final class Streams implements AutoCloseable {
  final String server;
  long sent;
  long echoed;
  private final Socket socket;

  private Streams(Socket socket, String server) {
    this.socket = socket;
    this.server = server;
  }

  /** Connects and reads the greeting; null when the proxy closed without one. */
  static Streams open(InetSocketAddress proxy) throws IOException {
    Socket s = new Socket();
    s.connect(proxy, 5_000);
    s.setSoTimeout(15_000);
    InputStream in = s.getInputStream();
    StringBuilder line = new StringBuilder();
    int c;
    for (c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
      line.append((char) c);
    }
    if (c < 0) {
      s.close();
      return null;
    }
    return new Streams(s, line.toString());
  }

  /** Sends the payload and reads it back; false when the stream was closed under it. */
  boolean exchange(byte[] payload) {
    try {
      socket.getOutputStream().write(payload);
      sent += payload.length;
      byte[] back = socket.getInputStream().readNBytes(payload.length);
      if (back.length != payload.length) {
        return false;
      }
      if (!Arrays.equals(back, payload)) {
        throw new AssertionError("stream via " + server + " returned corrupted bytes");
      }
      echoed += back.length;
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing a stream the proxy already reset
    }
  }
}
