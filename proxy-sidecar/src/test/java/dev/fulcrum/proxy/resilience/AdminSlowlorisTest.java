package dev.fulcrum.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.admin.AdminServer;
import dev.fulcrum.proxy.admin.AdminSettings;
import dev.fulcrum.proxy.api.WireJson;
import dev.fulcrum.proxy.engine.ProxyEngine;
import dev.fulcrum.proxy.metrics.ProxyMetrics;
import dev.fulcrum.proxy.net.Transport;
import dev.fulcrum.proxy.store.StateStore;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.Greetings;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TlsClients;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 9: a slowloris on the admin port (stalled TLS handshakes and requests trickled a byte at
 * a time) is cut off at the request deadline, while pushes and proxied traffic carry on.
 */
class AdminSlowlorisTest {
  private static final String ID = "fulcrum-system.k3s-api";
  private static final String TOKEN = "slowloris-token-93ab";

  @TempDir Path dir;
  private final Transport transport = new Transport(1, Transport.DEFAULT_KIND);
  private final EchoBackend a = EchoBackend.start("server-a", "127.0.0.11");
  private final EchoBackend b = EchoBackend.start("server-b", "127.0.0.12");
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
    a.close();
    b.close();
  }

  @Test
  void slowAdminClientsAreCutOffWhilePushesAndProxiedTrafficCarryOn() throws Exception {
    Path stateDir = dir.resolve("state");
    engine =
        new ProxyEngine(
            "lb-test", "127.0.0.1", transport, new StateStore(stateDir), new ProxyMetrics());
    int port = TestConfigs.freePort();
    engine.apply(ID, TestConfigs.config(port, 1, a), null);
    Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN);
    admin =
        new AdminServer(
                new AdminSettings(
                    "127.0.0.1", 0, null, null, null, tokenFile, Duration.ofSeconds(2)),
                stateDir,
                engine,
                () -> null)
            .start();
    int adminPort = admin.localAddress().getPort();
    var trusted = TlsClients.context(TlsClients.certificate(stateDir.resolve("admin.crt")), null);
    HttpClient client = TlsClients.http(trusted);

    List<OutputStream> trickles = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      Socket raw = new Socket("127.0.0.1", adminPort); // never finishes its TLS handshake
      attackers.add(raw);
      raw.getOutputStream().write(new byte[] {0x16, 0x03});
      trickles.add(raw.getOutputStream());
    }
    for (int i = 0; i < 50; i++) {
      SSLSocket tls = (SSLSocket) trusted.getSocketFactory().createSocket("127.0.0.1", adminPort);
      attackers.add(tls);
      tls.startHandshake();
      tls.getOutputStream()
          .write(
              "PUT /v1/loadbalancers/x HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.UTF_8));
      trickles.add(tls.getOutputStream());
    }

    Streams stream = Streams.open(new InetSocketAddress("127.0.0.1", port));
    assertThat(stream.server).isEqualTo("server-a");
    Random random = new Random(9);
    int[] exchanges = {0};
    int[] statusOk = {0};
    boolean[] cutOff = new boolean[trickles.size()];
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              for (int i = 0; i < trickles.size(); i++) {
                cutOff[i] |= !trickle(trickles.get(i));
              }
              byte[] p = new byte[512];
              random.nextBytes(p);
              assertThat(stream.exchange(p)).as("proxied stream during the slowloris").isTrue();
              exchanges[0]++;
              HttpResponse<String> status =
                  client.send(
                      HttpRequest.newBuilder(
                              URI.create("https://127.0.0.1:" + adminPort + "/v1/status"))
                          .header("Authorization", "Bearer " + TOKEN)
                          .timeout(Duration.ofSeconds(10))
                          .build(),
                      HttpResponse.BodyHandlers.ofString());
              assertThat(status.statusCode()).isEqualTo(200);
              statusOk[0]++;
              for (boolean c : cutOff) {
                if (!c) {
                  return false;
                }
              }
              return true;
            });

    HttpResponse<String> push =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + adminPort + "/v1/loadbalancers/" + ID))
                .header("Authorization", "Bearer " + TOKEN)
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        WireJson.MAPPER.writeValueAsString(TestConfigs.config(port, 2, b))))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(push.statusCode()).as(push.body()).isEqualTo(200);
    assertThat(Greetings.at(port)).isEqualTo("server-b");
    assertThat(stream.echoed).isEqualTo(stream.sent).isEqualTo(512L * exchanges[0]);
    System.out.printf(
        "slowloris of %d admin connections cut off; meanwhile %d proxied exchanges (%d bytes) and"
            + " %d admin GETs succeeded%n",
        trickles.size(), exchanges[0], stream.echoed, statusOk[0]);
    stream.close();
  }

  /** Sends one more byte; false once the server has closed the connection. */
  private static boolean trickle(OutputStream out) {
    try {
      out.write('X');
      out.flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
