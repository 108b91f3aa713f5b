package dev.fulcrum.operator.resilience;

import dev.fulcrum.proxy.testing.Ports;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on 127.0.0.1 in front of a server, that can be cut (listener and every connection
 * closed, as when the server's host goes away) and restored on the same port.
 */
final class TcpRelay implements AutoCloseable {
  private final InetSocketAddress target;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private ServerSocket listener;
  private Thread acceptor;
  private int port;

  TcpRelay(InetSocketAddress target) throws IOException {
    this.target = target;
    // below the ephemeral range: no outgoing connection can take it while the relay is cut
    this.port = Ports.free("127.0.0.1");
    listen();
  }

  int port() {
    return port;
  }

  /** Listens again, on the same port as before; does nothing while it is listening. */
  synchronized void listen() throws IOException {
    if (listener != null && !listener.isClosed()) {
      return;
    }
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
    port = s.getLocalPort();
    listener = s;
    acceptor = new Thread(() -> accept(s), "relay-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void accept(ServerSocket s) {
    while (!s.isClosed()) {
      try {
        Socket client = s.accept();
        sockets.add(client);
        Socket upstream = new Socket(target.getAddress(), target.getPort());
        sockets.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        return; // the listener was cut
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16384];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                  out.write(buf, 0, n);
                }
              } catch (IOException e) {
                // one side closed: close both below
              }
              closeQuietly(from);
              closeQuietly(to);
            },
            "relay-pump");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Closes the listener and every relayed connection, and returns once the port is free: a socket
   * closed while a thread is blocked in its accept stays bound until that thread has left it.
   */
  synchronized void cut() throws InterruptedException {
    closeQuietly(listener);
    if (acceptor != null) {
      acceptor.join();
    }
    sockets.forEach(TcpRelay::closeQuietly);
    sockets.clear();
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // already closed
    }
  }

  @Override
  public void close() throws InterruptedException {
    cut();
  }
}
