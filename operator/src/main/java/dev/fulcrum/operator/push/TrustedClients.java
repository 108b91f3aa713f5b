package dev.fulcrum.operator.push;

import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** One JDK HttpClient per CA bundle, trusting exactly that bundle; a rotated CA gets a new one. */
final class TrustedClients {
  private final Duration connectTimeout;
  private final Map<String, HttpClient> byCa = new ConcurrentHashMap<>();

  TrustedClients(Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
  }

  HttpClient forCa(String caPem) {
    if (byCa.size() > 8 && !byCa.containsKey(caPem)) {
      byCa.clear(); // rotated-away bundles would otherwise pile up
    }
    return byCa.computeIfAbsent(caPem, this::build);
  }

  private HttpClient build(String caPem) {
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII)))) {
        trust.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new IllegalArgumentException("ca.crt holds no PEM certificate");
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      return HttpClient.newBuilder()
          .sslContext(ssl)
          .connectTimeout(connectTimeout)
          .version(HttpClient.Version.HTTP_1_1)
          .build();
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalArgumentException("ca.crt is not a usable PEM bundle: " + e.getMessage(), e);
    }
  }
}
