package dev.fulcrum.proxy.testing;

import static org.awaitility.Awaitility.await;

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
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The runnable jar as a real process on 127.0.0.1 with its admin and telemetry ports, its state dir
 * and its whole console output in a log file the test can read.
 */
public final class ProxyProcess implements AutoCloseable {
  private final Path config;
  private final Path stateDir;
  private final Path log;
  private final int adminPort;
  private final int telemetryPort;
  private final Process process;
  private HttpClient admin;

  /** The JVM flags the proxy ships with (deploy/jvm/), which every test process runs with. */
  static final Path SHIPPED_FLAGS = Path.of("..", "deploy", "jvm", "fulcrum-proxy.options");

  private final List<String> jvmFlags;

  private ProxyProcess(
      Path config, Path stateDir, int adminPort, int telemetryPort, Path log, List<String> jvmFlags)
      throws IOException {
    this.jvmFlags = List.copyOf(jvmFlags);
    this.config = config;
    this.stateDir = stateDir;
    this.adminPort = adminPort;
    this.telemetryPort = telemetryPort;
    this.log = log;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add("@" + SHIPPED_FLAGS.toAbsolutePath());
    command.addAll(jvmFlags); // after the shipped ones, so a test's flag wins
    command.addAll(
        List.of(
            "-jar",
            Path.of("target", "fulcrum-proxy.jar").toAbsolutePath().toString(),
            "--config",
            config.toString()));
    this.process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** Starts the proxy jar in {@code dir}; the token file is written unless it already exists. */
  public static ProxyProcess start(Path dir, String token, String logName) throws IOException {
    return start(dir, token, logName, yaml -> yaml);
  }

  /**
   * Like {@link #start(Path, String, String)}, with the config file's text passed through {@code
   * edit} before the process reads it (e.g. to break a field).
   */
  public static ProxyProcess start(
      Path dir, String token, String logName, UnaryOperator<String> edit) throws IOException {
    return start(dir, token, logName, edit, List.of());
  }

  /** As above, with JVM flags added after the shipped ones (e.g. a smaller direct memory). */
  public static ProxyProcess start(
      Path dir, String token, String logName, UnaryOperator<String> edit, List<String> jvmFlags)
      throws IOException {
    Path stateDir = Files.createDirectories(dir.resolve("state"));
    Path tokenFile = dir.resolve("token");
    if (!Files.exists(tokenFile)) {
      Files.writeString(tokenFile, token + "\n");
    }
    int adminPort = TestConfigs.freePort();
    int telemetryPort = TestConfigs.freePort();
    Path config = dir.resolve("proxy.yaml");
    Files.writeString(
        config,
        edit.apply(
            """
            name: lb-it
            admin: {listen: "127.0.0.1:%d", tokenFile: "%s"}
            telemetry: {listen: "127.0.0.1:%d"}
            stateDir: "%s"
            workerThreads: 1
            """
                .formatted(adminPort, tokenFile, telemetryPort, stateDir)));
    return new ProxyProcess(
        config, stateDir, adminPort, telemetryPort, dir.resolve(logName), jvmFlags);
  }

  /**
   * Kills this process with SIGKILL (if it still runs) and starts the jar again on the same config
   * file (so the same ports and state dir), its output in {@code logName}.
   */
  public ProxyProcess restart(String logName) throws IOException {
    close();
    return new ProxyProcess(
        config, stateDir, adminPort, telemetryPort, log.resolveSibling(logName), jvmFlags);
  }

  /** The config file the process was started with. */
  public Path config() {
    return config;
  }

  /** Sends SIGTERM, as systemd or a container runtime does to stop it. */
  public void terminate() {
    process.destroy();
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code once the process has ended within {@code within}; empty if it still runs. */
  public OptionalInt exitCode(Duration within) throws InterruptedException {
    return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)
        ? OptionalInt.of(process.exitValue())
        : OptionalInt.empty();
  }

  /** Everything the process printed so far. */
  public String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An HTTPS client trusting only the admin certificate this proxy generated. */
  public HttpClient admin() {
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

  public HttpRequest.Builder adminRequest(String path, String token) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + adminPort + path))
            .timeout(Duration.ofSeconds(10));
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }

  /** Sends on the admin port once it answers at all. */
  public HttpResponse<String> send(HttpRequest request) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> admin().send(request, HttpResponse.BodyHandlers.ofString()), r -> true);
  }

  /** A plain HTTP GET on the telemetry port, once it answers. */
  public HttpResponse<String> telemetry(String path) {
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
