package dev.fulcrum.proxy.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A blocking client of the proxy that reads the backend's greeting line first. */
final class TestClient implements AutoCloseable {
  final Socket socket;
  final InputStream in;
  String lastGreeting;

  private TestClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    socket.setSoTimeout(20_000);
  }

  static TestClient connect(InetSocketAddress proxy) {
    return connect(proxy, null);
  }

  /** Connects from {@code sourceHost} (a 127.0.0.x address) when given. */
  static TestClient connect(InetSocketAddress proxy, String sourceHost) {
    try {
      Socket s = new Socket();
      if (sourceHost != null) {
        s.bind(new InetSocketAddress(sourceHost, 0));
      }
      s.connect(proxy, 10_000);
      return new TestClient(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The backend's name, or null when the connection ended before a full line. */
  String greeting() {
    try {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          return null;
        }
        line.write(c);
      }
      lastGreeting = line.toString(StandardCharsets.UTF_8);
      return lastGreeting;
    } catch (IOException e) {
      return null;
    }
  }

  /** Sends bytes and returns what came back (the echo of a live connection). */
  String roundTrip(String text) throws IOException {
    byte[] out = text.getBytes(StandardCharsets.UTF_8);
    socket.getOutputStream().write(out);
    return new String(in.readNBytes(out.length), StandardCharsets.UTF_8);
  }

  /** True when the proxy ended the connection with a clean FIN (read returns end of stream). */
  boolean endedByPeer() throws IOException {
    return in.read() < 0;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a test socket cannot fail in a way a test cares about
    }
  }
}
