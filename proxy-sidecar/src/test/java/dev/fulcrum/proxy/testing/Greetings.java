package dev.fulcrum.proxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Reads the line an {@link EchoBackend} greets with, as a client of the proxy sees it. */
public final class Greetings {
  private Greetings() {}

  /** The first line of a stream, without its newline; what was read when the stream ends first. */
  public static String firstLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
      line.append((char) c);
    }
    return line.toString();
  }

  /** The greeting of the backend a new connection to 127.0.0.1:{@code port} reaches. */
  public static String at(int port) throws IOException {
    return at(new InetSocketAddress("127.0.0.1", port));
  }

  public static String at(InetSocketAddress frontend) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(frontend, 10_000);
      s.setSoTimeout(20_000);
      return firstLine(s.getInputStream());
    }
  }
}
