package dev.fulcrum.operator.testing;

import java.net.InetSocketAddress;

/** Reads the greeting of a TLS echo backend (the K3s servers of these tests) through a proxy. */
public final class TlsServers {
  private TlsServers() {}

  /**
   * Connects through {@code host:port} with TLS (trusting any certificate) and reads the greeting.
   */
  public static String greeting(String host, int port) throws Exception {
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(null, new javax.net.ssl.TrustManager[] {new TrustAll()}, null);
    try (javax.net.ssl.SSLSocket s =
        (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket()) {
      s.connect(new InetSocketAddress(host, port), 5000);
      s.setSoTimeout(5000);
      return new java.io.BufferedReader(
              new java.io.InputStreamReader(
                  s.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))
          .readLine();
    }
  }

  /** A TLS session through the proxy that stays open, as a kubectl watch does. */
  public static final class Session implements AutoCloseable {
    private final javax.net.ssl.SSLSocket socket;
    private final java.io.BufferedReader in;
    private final String greeting;

    private Session(javax.net.ssl.SSLSocket socket) throws java.io.IOException {
      this.socket = socket;
      this.in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(
                  socket.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
      this.greeting = in.readLine();
    }

    /** The name of the server this session reached. */
    public String greeting() {
      return greeting;
    }

    /** Sends a line and reads back its echo: the session still carries traffic. */
    public String echo(String line) throws java.io.IOException {
      socket
          .getOutputStream()
          .write((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      return in.readLine();
    }

    @Override
    public void close() throws java.io.IOException {
      socket.close();
    }
  }

  /** Opens a session through {@code host:port} and reads the greeting. */
  public static Session session(String host, int port) throws Exception {
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(null, new javax.net.ssl.TrustManager[] {new TrustAll()}, null);
    javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket();
    s.connect(new InetSocketAddress(host, port), 5000);
    s.setSoTimeout(5000);
    return new Session(s);
  }

  /** The test talks to its own backends' self-signed certificates. */
  private static final class TrustAll implements javax.net.ssl.X509TrustManager {
    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

    @Override
    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
      return new java.security.cert.X509Certificate[0];
    }
  }
}
