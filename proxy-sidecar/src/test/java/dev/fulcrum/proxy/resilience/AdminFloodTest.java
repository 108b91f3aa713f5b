package dev.fulcrum.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.proxy.admin.AdminServer;
import dev.fulcrum.proxy.admin.AdminSettings;
import dev.fulcrum.proxy.engine.ProxyEngine;
import dev.fulcrum.proxy.metrics.ProxyMetrics;
import dev.fulcrum.proxy.net.Transport;
import dev.fulcrum.proxy.store.StateStore;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TlsClients;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An admin flood without the token: 100 TLS clients each announce a 1 MiB body and hold their
 * connection. Each is answered 401 from its headers alone and cut off (the body is never read),
 * while 150 proxied echoes of 256 KiB all come back byte for byte.
 */
class AdminFloodTest {
  private static final String ID = "fulcrum-system.k3s-api";
  private static final int BODY = 1 << 20;

  @TempDir Path dir;
  private final Transport transport = new Transport(1, Transport.DEFAULT_KIND);
  private final EchoBackend backend = EchoBackend.start("server-a", "127.0.0.11");
  private final List<Socket> attackers = new ArrayList<>();
  private ProxyEngine engine;
  private AdminServer admin;

  @AfterEach
  void stop() throws IOException {
    for (Socket s : attackers) {
      s.close();
    }
    if (admin != null) {
      admin.close();
    }
    if (engine != null) {
      engine.close();
    }
    transport.close();
    backend.close();
  }

  @Test
  void unauthenticatedBodiesAreRefusedFromTheirHeadersWhileProxiedTrafficFlows() throws Exception {
    Path stateDir = dir.resolve("state");
    engine =
        new ProxyEngine(
            "lb-test", "127.0.0.1", transport, new StateStore(stateDir), new ProxyMetrics());
    int port = TestConfigs.freePort();
    engine.apply(ID, TestConfigs.config(port, 1, backend), null);
    Path tokenFile = Files.writeString(dir.resolve("token"), "flood-token-7c1e");
    admin =
        new AdminServer(
                new AdminSettings("127.0.0.1", 0, null, null, null, tokenFile),
                stateDir,
                engine,
                () -> null)
            .start();
    var trusted = TlsClients.context(TlsClients.certificate(stateDir.resolve("admin.crt")), null);
    for (int i = 0; i < 100; i++) {
      SSLSocket tls =
          (SSLSocket)
              trusted.getSocketFactory().createSocket("127.0.0.1", admin.localAddress().getPort());
      attackers.add(tls);
      tls.setSoTimeout(10_000);
      tls.startHandshake();
      tls.getOutputStream()
          .write(
              ("PUT /v1/loadbalancers/"
                      + ID
                      + " HTTP/1.1\r\nHost: x\r\n"
                      + (i % 2 == 0 ? "Authorization: Bearer wrong-token\r\n" : "")
                      + "Content-Type: application/json\r\nContent-Length: "
                      + BODY
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      tls.getOutputStream().flush(); // the 1 MiB announced is not sent yet: it holds
    }

    Random random = new Random(15);
    for (int i = 0; i < 150; i++) {
      Streams stream = Streams.open(new InetSocketAddress("127.0.0.1", port));
      assertThat(stream).as("proxied connection %d", i).isNotNull();
      byte[] payload = new byte[256 * 1024];
      random.nextBytes(payload);
      assertThat(stream.exchange(payload)).as("echo %d of 256 KiB", i).isTrue();
      stream.close();
    }

    byte[] body = new byte[BODY];
    for (Socket s : attackers) {
      // Answered before any body byte was sent: the token was checked on the headers.
      assertThat(statusLine(s.getInputStream())).isEqualTo("HTTP/1.1 401 Unauthorized");
      // And the connection is closed: the 1 MiB is never read or buffered.
      assertThatThrownBy(
              () -> {
                s.getOutputStream().write(body);
                s.getOutputStream().write(body);
              })
          .isInstanceOf(IOException.class);
    }
    assertThat(engine.configs().get(ID).backends()).hasSize(1);
  }

  private static String statusLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
      b.append((char) c);
    }
    return b.toString();
  }
}
