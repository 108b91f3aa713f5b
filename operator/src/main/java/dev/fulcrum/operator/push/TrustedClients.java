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

/**
 * One JDK HttpClient per credentials, trusting exactly their CA bundle and presenting their client
 * certificate if any; rotated credentials get a new one.
 */
final class TrustedClients {
  private final Duration connectTimeout;
  private final Map<ProxyCredentials, HttpClient> byCa = new ConcurrentHashMap<>();

  TrustedClients(Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
  }

  HttpClient forCredentials(ProxyCredentials creds) {
    if (byCa.size() > 8 && !byCa.containsKey(creds)) {
      byCa.clear(); // rotated-away credentials would otherwise pile up
    }
    return byCa.computeIfAbsent(creds, this::build);
  }

  private HttpClient build(ProxyCredentials creds) {
    String caPem = creds.caPem();
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
      ssl.init(
          creds.clientCertPem() == null
              ? null
              : ClientCertificates.keyManagers(creds.clientCertPem(), creds.clientKeyPem()),
          tmf.getTrustManagers(),
          null);
      return HttpClient.newBuilder()
          .sslContext(ssl)
          .connectTimeout(connectTimeout)
          .version(HttpClient.Version.HTTP_1_1)
          .build();
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalArgumentException(
          "ca.crt, tls.crt or tls.key is not usable PEM: " + e.getMessage(), e);
    }
  }
}
