package dev.fulcrum.proxy.admin;

import dev.fulcrum.proxy.api.WireJson;
import dev.fulcrum.proxy.engine.ProxyEngine;
import dev.fulcrum.proxy.metrics.ProxyMetrics;
import dev.fulcrum.proxy.net.Transport;
import dev.fulcrum.proxy.store.DurableFile;
import dev.fulcrum.proxy.store.StateStore;
import dev.fulcrum.proxy.testing.Greetings;
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
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A real engine behind a real admin server on 127.0.0.1:0, and an HTTPS client that trusts only the
 * admin certificate the server generated.
 */
final class AdminHarness implements AutoCloseable {
  static final String TOKEN = "s3cret-token-0123456789";

  final Path stateDir;
  final Path tokenFile;
  final Transport transport = new Transport(1, Transport.DEFAULT_KIND); // as shipped: io_uring
  final ProxyMetrics metrics = new ProxyMetrics();
  final ProxyEngine engine;
  final AdminServer admin;
  final HttpClient client;

  AdminHarness(Path dir, Supplier<Boolean> vipHeld) throws IOException {
    this(dir, vipHeld, DurableFile::write);
  }

  /**
   * @param disk writes the state file, e.g. a disk that blocks or fails on cue
   */
  AdminHarness(Path dir, Supplier<Boolean> vipHeld, StateStore.Writer disk) throws IOException {
    this.stateDir = dir.resolve("state");
    this.tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
    this.engine =
        new ProxyEngine("lb-test", null, transport, new StateStore(stateDir, disk), metrics);
    engine.restore();
    AdminSettings settings = new AdminSettings("127.0.0.1", 0, null, null, null, tokenFile);
    this.admin = new AdminServer(settings, stateDir, engine, vipHeld).start();
    this.client =
        TlsClients.http(
            TlsClients.context(TlsClients.certificate(stateDir.resolve(AdminTls.CERT_FILE)), null));
  }

  URI uri(String path) {
    return URI.create("https://127.0.0.1:" + admin.localAddress().getPort() + path);
  }

  HttpRequest.Builder request(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> put(String id, Object config) {
    return put(id, config, TOKEN, null);
  }

  /** PUTs a config without waiting for the answer. */
  CompletableFuture<HttpResponse<String>> putAsync(String id, Object config) {
    return client.sendAsync(
        putRequest(id, config, TOKEN, null), HttpResponse.BodyHandlers.ofString());
  }

  /** PUTs a config (serialized) or a raw String body; {@code ifMatch} is sent as is. */
  HttpResponse<String> put(String id, Object body, String token, String ifMatch) {
    return send(putRequest(id, body, token, ifMatch));
  }

  private HttpRequest putRequest(String id, Object body, String token, String ifMatch) {
    byte[] bytes =
        body instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : WireJson.write(body);
    HttpRequest.Builder b =
        request("/v1/loadbalancers/" + id, token)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
    if (ifMatch != null) {
      b.header("If-Match", ifMatch);
    }
    return b.build();
  }

  HttpResponse<String> get(String path) {
    return send(request(path, TOKEN).GET().build());
  }

  /** Re-adopts a load balancer: its fence is forgotten. */
  HttpResponse<String> adopt(String id, String token) {
    return send(
        request("/v1/loadbalancers/" + id + "/adopt", token)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build());
  }

  HttpResponse<String> delete(String id) {
    return send(request("/v1/loadbalancers/" + id, TOKEN).DELETE().build());
  }

  /** The applied version GET reports, or null when the load balancer is unknown. */
  String appliedVersion(String id) {
    HttpResponse<String> r = get("/v1/loadbalancers/" + id);
    return r.statusCode() == 404 ? null : read(r.body()).path("appliedVersion").asText();
  }

  static com.fasterxml.jackson.databind.JsonNode read(String json) {
    try {
      return WireJson.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  byte[] stateFile() {
    try {
      return Files.readAllBytes(stateDir.resolve("state.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The greeting line of the backend a new connection through the frontend reaches. */
  static String greeting(int frontendPort) {
    return greeting(new java.net.InetSocketAddress("127.0.0.1", frontendPort));
  }

  static String greeting(java.net.InetSocketAddress frontend) {
    try {
      return Greetings.at(frontend);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    admin.close();
    engine.close();
    transport.close();
  }
}
