package dev.fulcrum.proxy.health;

import dev.fulcrum.proxy.api.ClientCertificate;
import dev.fulcrum.proxy.api.HealthCheckConfig;
import dev.fulcrum.proxy.api.HealthCheckMode;
import dev.fulcrum.proxy.tls.Pki;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * One health check config made ready to use: the TLS client context is built once per config, not
 * per check.
 *
 * @param tls the client context for TLS and HTTPS modes, null for TCP or when it cannot be built
 * @param tlsProblem why the context could not be built (a bad client certificate), else null
 */
record CheckSettings(HealthCheckConfig config, SslContext tls, String tlsProblem) {

  static CheckSettings of(HealthCheckConfig config) {
    if (config.mode() == HealthCheckMode.TCP) {
      return new CheckSettings(config, null, null);
    }
    try {
      // The proxy does not know the cluster's CA (K3s makes its own), and a check proves the server
      // is alive, not who it is: clients verify the server themselves, end to end through the
      // proxy.
      // So trust any certificate, and skip host name verification, which Netty 4.2 turns on.
      SslContextBuilder b =
          SslContextBuilder.forClient()
              .trustManager(InsecureTrustManagerFactory.INSTANCE)
              .endpointIdentificationAlgorithm(null);
      ClientCertificate client = config.clientCertificate();
      if (config.mode() == HealthCheckMode.HTTPS && client != null) {
        b.keyManager(
            Pki.readKey(client.privateKey()),
            Pki.readCertificates(client.certificate()).toArray(new X509Certificate[0]));
      }
      return new CheckSettings(config, b.build(), null);
    } catch (IOException | RuntimeException e) {
      return new CheckSettings(config, null, "client certificate unusable: " + e.getMessage());
    }
  }

  /**
   * A TLS handler for one check; SNI is sent for host names only, as IP literals may not be SNI.
   */
  SslHandler newTlsHandler(ByteBufAllocator alloc, String host, int port) {
    if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
      return tls.newHandler(alloc);
    }
    SslHandler handler = tls.newHandler(alloc, host, port);
    SSLEngine engine = handler.engine();
    SSLParameters params = engine.getSSLParameters();
    try {
      // Set explicitly: the JDK itself skips SNI for dot-less names such as "server-1".
      params.setServerNames(List.of(new SNIHostName(host)));
      engine.setSSLParameters(params);
    } catch (IllegalArgumentException e) {
      // Not a valid SNI name (e.g. an underscore): check without SNI rather than not at all.
    }
    return handler;
  }
}
