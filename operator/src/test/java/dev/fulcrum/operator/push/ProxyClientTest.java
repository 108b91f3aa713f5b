package dev.fulcrum.operator.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.operator.testing.FakeAdminApi;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a failed call to a proxy says: the root cause in the words a user acts on. */
class ProxyClientTest {
  private static final String ID = "fulcrum-system.k3s-api";
  private final Pki.Issued ca = TestPki.authority("admin-ca");
  private final ProxyClient client = new ProxyClient(Duration.ofSeconds(1), Duration.ofSeconds(2));
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private String errorAsking(String endpoint, ProxyCredentials creds) {
    return client.observe(new ProxyTarget("lb-1", endpoint), ID, creds).join().error();
  }

  @Test
  void aPortNobodyListensOnIsConnectionRefused() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }

    assertThat(
            errorAsking(
                "https://127.0.0.1:" + port, new ProxyCredentials("t", ca.certificatePem())))
        .isEqualTo("query of lb-1 (https://127.0.0.1:" + port + ") failed: connection refused");
  }

  @Test
  void aHostThatAnswersNoSynTimesOut() throws IOException {
    ServerSocket full = new ServerSocket();
    open.add(full);
    full.bind(new InetSocketAddress("127.0.0.1", 0), 1);
    try {
      for (int i = 0; i < 4; i++) {
        Socket s = new Socket();
        open.add(s);
        s.connect(full.getLocalSocketAddress(), 50);
      }
    } catch (IOException queueFull) {
      // full either way
    }

    assertThat(
            errorAsking(
                "https://127.0.0.1:" + full.getLocalPort(),
                new ProxyCredentials("t", ca.certificatePem())))
        .endsWith("failed: timed out connecting");
  }

  @Test
  void anAdminCertificateFromAnotherCaIsNotTrustedAndSaysWhichCa() throws Exception {
    FakeAdminApi proxy = new FakeAdminApi("lb-1", "127.0.0.1", ca, "t");
    open.add(proxy);
    Pki.Issued otherCa = TestPki.authority("another-ca");

    assertThat(errorAsking(proxy.endpoint(), new ProxyCredentials("t", otherCa.certificatePem())))
        .endsWith(
            "failed: certificate not trusted: the proxy's admin certificate is not signed by"
                + " the Secret's ca.crt");
  }
}
