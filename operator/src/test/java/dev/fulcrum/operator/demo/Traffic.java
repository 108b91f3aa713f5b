package dev.fulcrum.operator.demo;

import dev.fulcrum.proxy.tls.Pki;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A K3s agent's view: {@code GET /ping} through a proxy's frontend, verifying the server's
 * certificate against the demo CA for the frontend address, as an agent does for its tls-san.
 */
final class Traffic {
  private final SSLContext tls;

  Traffic(Pki.Issued ca) throws GeneralSecurityException, IOException {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("demo-ca", ca.chain().get(0));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
  }

  /** One request through {@code host:port}: the name of the server that answered "pong". */
  String ping(String host, int port) throws IOException {
    try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket()) {
      SSLParameters p = s.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name host
      s.setSSLParameters(p);
      s.connect(new InetSocketAddress(host, port), 3000);
      s.setSoTimeout(3000);
      s.getOutputStream()
          .write(
              ("GET /ping HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      String status = in.readLine();
      String servedBy = null;
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        if (line.toLowerCase(Locale.ROOT)
            .startsWith(K3sServer.SERVED_BY.toLowerCase(Locale.ROOT))) {
          servedBy = line.substring(line.indexOf(':') + 1).trim();
        }
      }
      String body = in.readLine();
      if (status == null || !status.contains(" 200 ") || !"pong".equals(body)) {
        throw new IOException("unexpected answer from " + host + ":" + port + ": " + status);
      }
      return servedBy;
    }
  }

  /**
   * The servers reached by up to 60 connections through {@code host:port}, stopping once all of
   * {@code expected} answered (least-connections breaks ties at random).
   */
  Set<String> reached(String host, int port, Set<String> expected) throws IOException {
    Set<String> names = new TreeSet<>();
    for (int i = 0; i < 60 && !names.containsAll(expected); i++) {
      names.add(ping(host, port));
    }
    return names;
  }
}
