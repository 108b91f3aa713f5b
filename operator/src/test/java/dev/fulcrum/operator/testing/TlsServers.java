package dev.fulcrum.operator.testing;

import dev.fulcrum.proxy.testing.EchoBackend;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.util.List;

/** TLS echo backends for K3s servers, which all listen on one port (spec.backends.port). */
public final class TlsServers {
  private TlsServers() {}

  /**
   * An {@link EchoBackend} with a certificate for {@code sans}, moved to {@code port}: EchoBackend
   * only binds port 0, and Node backends share one port, so its address is set before a restart.
   */
  public static EchoBackend start(String name, String host, int port, List<String> sans)
      throws Exception {
    EchoBackend b = EchoBackend.startTls(name, host, sans);
    if (port == 0 || b.port() == port) {
      return b;
    }
    b.kill();
    Field address = EchoBackend.class.getDeclaredField("address");
    address.setAccessible(true);
    address.set(b, new InetSocketAddress(host, port));
    return b.restart();
  }

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
