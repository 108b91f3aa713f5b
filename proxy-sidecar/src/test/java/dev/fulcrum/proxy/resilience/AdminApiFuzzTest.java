package dev.fulcrum.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.proxy.admin.AdminServer;
import dev.fulcrum.proxy.admin.AdminSettings;
import dev.fulcrum.proxy.api.WireJson;
import dev.fulcrum.proxy.engine.ProxyEngine;
import dev.fulcrum.proxy.metrics.ProxyMetrics;
import dev.fulcrum.proxy.net.Transport;
import dev.fulcrum.proxy.store.StateStore;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TlsClients;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated PUT bodies and load balancer ids never get a 5xx from the admin API and never
 * change the applied config or the state file (1,000 inputs from a seeded generator).
 */
class AdminApiFuzzTest {
  private static final String ID = "fulcrum-system.k3s-api";
  private static final String TOKEN = "fuzz-token-0b5d";
  // Never the applied version: a mutated body that happens to be valid is fenced off with a 409.
  private static final String STALE = "\"sha256:0000\"";
  private static final String JSONISH = "{}[]\":,0123456789-.eE truefalsnl\\";
  private static final List<String> FIELDS =
      List.of(
          "version",
          "epoch",
          "frontend",
          "frontend.port",
          "frontend.bind",
          "frontend.virtualIP",
          "frontend.interface",
          "frontend.virtualRouterId",
          "balance",
          "healthCheck",
          "healthCheck.mode",
          "healthCheck.intervalSeconds",
          "healthCheck.rise",
          "healthCheck.fall",
          "healthCheck.timeoutSeconds",
          "healthCheck.path",
          "timeouts",
          "timeouts.connectSeconds",
          "timeouts.idleSeconds",
          "backends",
          "maxConnections",
          "rebalance");

  private static Path dir;
  private static Transport transport;
  private static EchoBackend backend;
  private static ProxyEngine engine;
  private static AdminServer admin;
  private static HttpClient client;
  private static String baseline;
  private static ObjectNode baselineTree;
  private static String applied;
  private static byte[] stateBytes;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("fuzz");
    transport = new Transport(1, Transport.DEFAULT_KIND);
    backend = EchoBackend.start("server-a", "127.0.0.11");
    engine =
        new ProxyEngine(
            "lb-fuzz",
            "127.0.0.1",
            transport,
            new StateStore(dir.resolve("state")),
            new ProxyMetrics());
    baseline =
        WireJson.MAPPER.writeValueAsString(TestConfigs.config(TestConfigs.freePort(), 5, backend));
    baselineTree = (ObjectNode) WireJson.MAPPER.readTree(baseline);
    Path token = Files.writeString(dir.resolve("token"), TOKEN);
    admin =
        new AdminServer(
                new AdminSettings("127.0.0.1", 0, null, null, null, token),
                dir.resolve("state"),
                engine,
                () -> null)
            .start();
    client =
        TlsClients.http(
            TlsClients.context(
                TlsClients.certificate(dir.resolve("state").resolve("admin.crt")), null));
    HttpResponse<String> first = put(ID, baseline, null);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    applied = engine.configs().get(ID).version();
    stateBytes = Files.readAllBytes(dir.resolve("state").resolve("state.json"));
  }

  @AfterAll
  static void stop() {
    admin.close();
    engine.close();
    transport.close();
    backend.close();
  }

  @Test
  void arbitraryTextIsRefusedWithA4xxAndChangesNothing() throws Exception {
    fuzz(300, random -> text(random), body -> assertRefusedAndUnchanged(put(ID, body, null)));
  }

  @Test
  void aValidBodyWithOneFieldReplacedIsNeverA5xxAndChangesNothing() throws Exception {
    fuzz(
        300,
        AdminApiFuzzTest::fieldMutation,
        body -> assertRefusedAndUnchanged(put(ID, body, STALE)));
  }

  @Test
  void aValidBodyCutOrSplicedIsNeverA5xxAndChangesNothing() throws Exception {
    fuzz(
        200,
        AdminApiFuzzTest::byteMutation,
        body -> assertRefusedAndUnchanged(put(ID, body, STALE)));
  }

  @Test
  void anArbitraryLoadBalancerIdIsNeverA5xxAndCreatesNothing() throws Exception {
    fuzz(
        200,
        random -> text(random),
        id -> {
          String encoded = URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
          HttpResponse<String> r = put(encoded, baseline, STALE);
          assertThat(r.statusCode()).as(r.body()).isBetween(400, 499);
          assertThat(engine.configs()).containsOnlyKeys(ID);
          assertUnchanged();
        });
  }

  /**
   * Runs {@code tries} inputs from one seeded generator; a failure names the seed ({@code
   * -Dfulcrum.fuzz.seed=...} replays it), the try and the input.
   */
  private static void fuzz(int tries, Function<Random, String> inputs, Check check)
      throws Exception {
    long seed = Long.getLong("fulcrum.fuzz.seed", System.nanoTime());
    Random random = new Random(seed);
    for (int i = 0; i < tries; i++) {
      String input = inputs.apply(random);
      try {
        check.accept(input);
      } catch (AssertionError | Exception e) {
        throw new AssertionError(
            "fuzz seed "
                + seed
                + " (-Dfulcrum.fuzz.seed="
                + seed
                + "), try "
                + i
                + ", input: "
                + input,
            e);
      }
    }
  }

  private interface Check {
    void accept(String input) throws Exception;
  }

  /** Any text up to 300 characters, or JSON-looking text from JSON's own characters. */
  private static String text(Random random) {
    int length = random.nextInt(301);
    StringBuilder b = new StringBuilder(length);
    boolean jsonish = random.nextBoolean();
    for (int i = 0; i < length; i++) {
      if (jsonish) {
        b.append(JSONISH.charAt(random.nextInt(JSONISH.length())));
      } else {
        b.appendCodePoint(codePoint(random));
      }
    }
    return b.toString();
  }

  /** Control characters, ASCII, the rest of the BMP (surrogates included) and beyond. */
  private static int codePoint(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> random.nextInt(0x20);
      case 1 -> 0x20 + random.nextInt(0x5f);
      case 2 -> random.nextInt(0x10000);
      default -> 0x10000 + random.nextInt(0x100000);
    };
  }

  private static String fieldMutation(Random random) {
    ObjectNode root = baselineTree.deepCopy();
    String[] path = FIELDS.get(random.nextInt(FIELDS.size())).split("\\.");
    JsonNode parent = path.length == 1 ? root : root.path(path[0]);
    if (parent instanceof ObjectNode o) {
      o.set(path[path.length - 1], value(random));
    }
    return new String(WireJson.write(root), StandardCharsets.UTF_8);
  }

  private static JsonNode value(Random random) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return switch (random.nextInt(9)) {
      case 0 -> f.numberNode(random.nextInt());
      case 1 -> f.numberNode(random.nextLong());
      case 2 ->
          f.numberNode(
              random.nextBoolean()
                  ? random.nextDouble() * 1e6 - 5e5
                  : Double.longBitsToDouble(random.nextLong()));
      case 3 -> f.textNode(shortText(random, 80));
      case 4 -> f.nullNode();
      case 5 -> f.booleanNode(random.nextBoolean());
      case 6 -> f.arrayNode();
      case 7 -> f.objectNode();
      default -> f.numberNode(new BigInteger("9".repeat(40)));
    };
  }

  private static String byteMutation(Random random) {
    int from = random.nextInt(baseline.length() + 1);
    int to = random.nextInt(baseline.length() + 1);
    return baseline.substring(0, Math.min(from, to))
        + shortText(random, 12)
        + baseline.substring(Math.max(from, to));
  }

  private static String shortText(Random random, int max) {
    int length = random.nextInt(max + 1);
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.appendCodePoint(codePoint(random));
    }
    return b.toString();
  }

  private static void assertRefusedAndUnchanged(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isBetween(400, 499);
    assertThat(r.body()).contains("\"error\"");
    assertUnchanged();
  }

  private static void assertUnchanged() throws Exception {
    assertThat(engine.configs().get(ID).version()).isEqualTo(applied);
    assertThat(Files.readAllBytes(dir.resolve("state").resolve("state.json")))
        .isEqualTo(stateBytes);
  }

  private static HttpResponse<String> put(String id, String body, String ifMatch) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create(
                    "https://127.0.0.1:"
                        + admin.localAddress().getPort()
                        + "/v1/loadbalancers/"
                        + id))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(10))
            .PUT(HttpRequest.BodyPublishers.ofString(body));
    if (ifMatch != null) {
      b.header("If-Match", ifMatch);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
