package dev.fulcrum.proxy.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.ImageArchive;
import dev.fulcrum.proxy.testing.Ports;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy image the build wrote (target/fulcrum-proxy-VERSION-image.tar) runs as uid 65532 on a
 * read-only root with the unit's JVM flags, and proxies a real connection from a static config.
 */
class ProxyImageIT {
  @TempDir Path dir;

  @Test
  void theImageServesAStaticConfigAsANonRootUserOnAReadOnlyRoot() throws Exception {
    ImageArchive image =
        ImageArchive.unpack(ImageArchive.archive(Path.of("target")), dir.resolve("image"));
    assertThat(image.tags())
        .containsExactly(
            "ghcr.io/fulcrum-dev/fulcrum-proxy:" + System.getProperty("fulcrum.project.version"));
    assertThat(image.user()).isEqualTo("65532:65532");
    assertThat(image.command()).contains("@/opt/fulcrum/fulcrum-proxy.options");
    assertThat(dir.resolve("image/rootfs/opt/fulcrum/fulcrum-proxy.options"))
        .hasSameTextualContentAs(Path.of("../deploy/jvm/fulcrum-proxy.options"));

    Path conf = Files.createDirectories(dir.resolve("conf"));
    Path state = Files.createDirectories(dir.resolve("state"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setAttribute(state, "unix:uid", 65532);
    Files.writeString(conf.resolve("token"), "image-test-token-0123456789");
    int frontend = Ports.free("127.0.0.1");
    int telemetry = Ports.free("127.0.0.1");
    int admin = Ports.free("127.0.0.1");
    try (EchoBackend backend = EchoBackend.start("server-img", "127.0.0.1")) {
      Files.writeString(
          conf.resolve("proxy.yaml"),
          String.join(
              "\n",
              "name: lb-image",
              "admin: {listen: \"127.0.0.1:" + admin + "\", tokenFile: /etc/fulcrum/token}",
              "telemetry: {listen: \"127.0.0.1:" + telemetry + "\"}",
              "stateDir: /var/lib/fulcrum",
              "loadBalancers:",
              "  - id: image.k3s-api",
              "    frontend: {port: " + frontend + ", bind: 127.0.0.1}",
              "    healthCheck: {mode: TCP, intervalSeconds: 1, downIntervalSeconds: 1}",
              "    backends:",
              "      - {name: server-img, address: 127.0.0.1, port: " + backend.port() + "}",
              ""));
      Path log = dir.resolve("proxy.log");
      Process proxy =
          image.start(Map.of("/etc/fulcrum", conf, "/var/lib/fulcrum", state), Map.of(), log);
      try {
        awaitServing(proxy, frontend, log);
        assertThat(ImageArchive.uidOfChild(proxy)).isEqualTo("65532");
        assertThat(status("http://127.0.0.1:" + telemetry + "/readyz")).isEqualTo(200);
        assertThat(state.resolve("admin.crt")).exists();
        // Netty's native transports load from the image's own C library.
        assertThat(Files.readString(log)).doesNotContain("cannot open shared object file");
      } finally {
        ImageArchive.stop(proxy);
      }
    }
  }

  private static void awaitServing(Process proxy, int frontend, Path log) throws Exception {
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .failFast("the image's process exited", () -> !proxy.isAlive())
          .ignoreExceptionsInstanceOf(java.io.IOException.class)
          .untilAsserted(
              () -> {
                assertThat(greeting(frontend)).isEqualTo("server-img\n");
                // The frontend serves its restored config before the telemetry and admin
                // listeners are bound; the log line comes once all three are up.
                assertThat(Files.readString(log)).contains("proxy lb-image ready:");
              });
    } catch (Throwable e) {
      throw new AssertionError(
          "the proxy image did not serve; its output:\n" + Files.readString(log), e);
    }
  }

  private static String greeting(int port) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      s.setSoTimeout(2000);
      InputStream in = s.getInputStream();
      byte[] buf = new byte[64];
      int n = in.read(buf);
      return n < 0 ? "" : new String(buf, 0, n, StandardCharsets.UTF_8);
    }
  }

  private static int status(String url) throws Exception {
    HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
    try {
      return c.getResponseCode();
    } finally {
      c.disconnect();
    }
  }
}
