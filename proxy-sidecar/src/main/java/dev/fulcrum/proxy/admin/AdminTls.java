package dev.fulcrum.proxy.admin;

import dev.fulcrum.proxy.store.DurableFile;
import dev.fulcrum.proxy.tls.Pki;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's server TLS: configured PEM files, or a self-signed pair kept in the state dir.
 */
final class AdminTls {
  private static final Logger log = LoggerFactory.getLogger(AdminTls.class);
  static final String CERT_FILE = "admin.crt";
  static final String KEY_FILE = "admin.key";

  private AdminTls() {}

  /** The server context; requires a client certificate when a client CA is configured. */
  static SslContext serverContext(AdminSettings s, Path stateDir) throws IOException {
    PrivateKey key;
    List<X509Certificate> chain;
    if (s.certFile() != null) {
      chain = certificates(s.certFile());
      key = privateKey(s.keyFile());
    } else {
      Pki.Issued own = selfSigned(stateDir, s.host());
      chain = own.chain();
      key = own.key();
    }
    SslContextBuilder b =
        SslContextBuilder.forServer(key, chain.toArray(new X509Certificate[0]))
            .protocols("TLSv1.3", "TLSv1.2");
    if (s.clientCaFile() != null) {
      b.trustManager(certificates(s.clientCaFile()).toArray(new X509Certificate[0]))
          .clientAuth(ClientAuth.REQUIRE);
    }
    return b.build();
  }

  /**
   * The self-signed pair in {@code stateDir}, generated on first start and reused after, so the
   * certificate the operator was given stays valid across restarts.
   */
  static Pki.Issued selfSigned(Path stateDir, String listenHost) throws IOException {
    if (stateDir == null) {
      throw new IOException(
          "the admin API needs admin.certFile/admin.keyFile or a state dir for its own certificate");
    }
    Path certFile = stateDir.resolve(CERT_FILE);
    Path keyFile = stateDir.resolve(KEY_FILE);
    if (Files.exists(certFile) && Files.exists(keyFile)) {
      List<X509Certificate> chain = certificates(certFile);
      log.info("admin API: reusing the self-signed certificate {}", certFile);
      return new Pki.Issued(privateKey(keyFile), chain);
    }
    List<String> sans = sans(listenHost);
    Pki.Issued fresh = Pki.selfSigned(hostName(), sans, Duration.ofDays(3650));
    // Key first: a crash in between leaves no certificate, so the next start makes a new pair.
    DurableFile.write(keyFile, fresh.keyPem().getBytes(StandardCharsets.US_ASCII));
    DurableFile.write(certFile, fresh.certificatePem().getBytes(StandardCharsets.US_ASCII));
    log.info("admin API: generated a self-signed certificate {} for {}", certFile, sans);
    return fresh;
  }

  /** The listen address (or every interface address for a wildcard), loopback and host name. */
  static List<String> sans(String listenHost) {
    Set<String> out = new LinkedHashSet<>();
    if (listenHost.equals("0.0.0.0") || listenHost.equals("::")) {
      out.addAll(interfaceAddresses());
    } else {
      out.add(listenHost);
    }
    out.add("127.0.0.1");
    out.add("localhost");
    String host = hostName();
    if (host.matches("[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?") && !host.matches("[0-9.]+")) {
      out.add(host);
    }
    return new ArrayList<>(out);
  }

  private static List<String> interfaceAddresses() {
    List<String> out = new ArrayList<>();
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (!a.isLinkLocalAddress() && !a.isLoopbackAddress()) {
            String text = a.getHostAddress();
            int scope = text.indexOf('%');
            out.add(scope < 0 ? text : text.substring(0, scope));
          }
        }
      }
    } catch (SocketException e) {
      log.warn("admin API: cannot list interface addresses for the certificate: {}", e.toString());
    }
    return out;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  private static List<X509Certificate> certificates(Path file) throws IOException {
    try {
      return Pki.readCertificates(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new IOException("cannot read the certificate " + file + ": " + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(Path file) throws IOException {
    try {
      return Pki.readKey(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new IOException("cannot read the private key " + file + ": " + e.getMessage(), e);
    }
  }
}
