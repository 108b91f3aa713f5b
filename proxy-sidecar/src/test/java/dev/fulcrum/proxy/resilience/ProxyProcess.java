package dev.fulcrum.proxy.resilience;

import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.admin.TestConfigs;
import dev.fulcrum.proxy.testing.TlsClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The runnable jar as a real process on 127.0.0.1 with its admin and telemetry ports, its state dir
 * and its whole console output in a log file the test can read.
 */
final class ProxyProcess implements AutoCloseable {
  final Path dir;
  final Path stateDir;
  final Path tokenFile;
  final Path log;
  final int adminPort = TestConfigs.freePort();
  final int telemetryPort = TestConfigs.freePort();
  private final Process process;
  private HttpClient admin;

  private ProxyProcess(Path dir, String token, String logName) throws IOException {
    this.dir = dir;
    this.stateDir = Files.createDirectories(dir.resolve("state"));
    this.tokenFile = dir.resolve("token");
    if (!Files.exists(tokenFile)) {
      Files.writeString(tokenFile, token + "\n");
    }
    this.log = dir.resolve(logName);
    Path config = dir.resolve("proxy.yaml");
    Files.writeString(
        config,
        """
        name: lb-resilience
        admin: {listen: "127.0.0.1:%d", tokenFile: "%s"}
        telemetry: {listen: "127.0.0.1:%d"}
        stateDir: "%s"
        workerThreads: 1
        """
            .formatted(adminPort, tokenFile, telemetryPort, stateDir));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    this.process =
        new ProcessBuilder(
                java,
                "-jar",
                Path.of("target", "fulcrum-proxy.jar").toAbsolutePath().toString(),
                "--config",
                config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
  }

  /** Starts the proxy jar in {@code dir}; the token file is written unless it already exists. */
  static ProxyProcess start(Path dir, String token, String logName) throws IOException {
    return new ProxyProcess(dir, token, logName);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Everything the process printed so far. */
  String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An HTTPS client trusting only the admin certificate this proxy generated. */
  HttpClient admin() {
    if (admin == null) {
      Path cert = stateDir.resolve("admin.crt");
      await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(cert));
      // The certificate is written before the admin port listens.
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () -> {
                try (java.net.Socket s = new java.net.Socket()) {
                  s.connect(new java.net.InetSocketAddress("127.0.0.1", adminPort), 1_000);
                  return true;
                }
              });
      admin = TlsClients.http(TlsClients.context(TlsClients.certificate(cert), null));
    }
    return admin;
  }

  HttpRequest.Builder adminRequest(String path, String token) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + adminPort + path))
            .timeout(Duration.ofSeconds(10));
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }

  /** Sends on the admin port once it answers at all. */
  HttpResponse<String> send(HttpRequest request) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> admin().send(request, HttpResponse.BodyHandlers.ofString()), r -> true);
  }

  /** A plain HTTP GET on the telemetry port, once it answers. */
  HttpResponse<String> telemetry(String path) {
    HttpClient plain = HttpClient.newHttpClient();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + telemetryPort + path))
            .timeout(Duration.ofSeconds(10))
            .build();
    return await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> plain.send(request, HttpResponse.BodyHandlers.ofString()), r -> true);
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
