package dev.fulcrum.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.proxy.ProxyEngine;
import dev.fulcrum.proxy.ProxyMetrics;
import dev.fulcrum.proxy.admin.AdminServer;
import dev.fulcrum.proxy.admin.AdminSettings;
import dev.fulcrum.proxy.admin.TestConfigs;
import dev.fulcrum.proxy.api.WireJson;
import dev.fulcrum.proxy.net.Transport;
import dev.fulcrum.proxy.store.StateStore;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.TlsClients;
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
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Scenario 10: random and mutated PUT bodies and load balancer ids never get a 5xx from the admin
 * API and never change the applied config or the state file.
 */
class AdminApiFuzzTest {
  private static final String ID = "fulcrum-system.k3s-api";
  private static final String TOKEN = "fuzz-token-0b5d";
  // Never the applied version: a mutated body that happens to be valid is fenced off with a 409.
  private static final String STALE = "\"sha256:0000\"";
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

  @BeforeContainer
  static void start() throws Exception {
    dir = Files.createTempDirectory("fuzz");
    transport = new Transport(1, true);
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

  @AfterContainer
  static void stop() {
    admin.close();
    engine.close();
    transport.close();
    backend.close();
  }

  @Property(tries = 300)
  void arbitraryTextIsRefusedWithA4xxAndChangesNothing(@ForAll("text") String body)
      throws Exception {
    assertRefusedAndUnchanged(put(ID, body, null));
  }

  @Property(tries = 300)
  void aValidBodyWithOneFieldReplacedIsNeverA5xxAndChangesNothing(
      @ForAll("fieldMutations") String body) throws Exception {
    assertRefusedAndUnchanged(put(ID, body, STALE));
  }

  @Property(tries = 200)
  void aValidBodyCutOrSplicedIsNeverA5xxAndChangesNothing(@ForAll("byteMutations") String body)
      throws Exception {
    assertRefusedAndUnchanged(put(ID, body, STALE));
  }

  @Property(tries = 200)
  void anArbitraryLoadBalancerIdIsNeverA5xxAndCreatesNothing(@ForAll("text") String id)
      throws Exception {
    String encoded = URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    HttpResponse<String> r = put(encoded, baseline, STALE);
    assertThat(r.statusCode()).as(r.body()).isBetween(400, 499);
    assertThat(engine.configs()).containsOnlyKeys(ID);
    assertUnchanged();
  }

  @Provide
  Arbitrary<String> text() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(300),
        Arbitraries.strings().withChars("{}[]\":,0123456789-.eE truefalsnl\\").ofMaxLength(300));
  }

  @Provide
  Arbitrary<String> fieldMutations() {
    Arbitrary<JsonNode> values =
        Arbitraries.oneOf(
            Arbitraries.integers().map(i -> JsonNodeFactory.instance.numberNode(i)),
            Arbitraries.longs().map(l -> JsonNodeFactory.instance.numberNode(l)),
            Arbitraries.doubles().map(d -> JsonNodeFactory.instance.numberNode(d)),
            Arbitraries.strings().ofMaxLength(80).map(s -> JsonNodeFactory.instance.textNode(s)),
            Arbitraries.of(
                JsonNodeFactory.instance.nullNode(),
                JsonNodeFactory.instance.booleanNode(true),
                JsonNodeFactory.instance.arrayNode(),
                JsonNodeFactory.instance.objectNode(),
                JsonNodeFactory.instance.numberNode(new java.math.BigInteger("9".repeat(40)))));
    return Combinators.combine(Arbitraries.of(FIELDS), values)
        .as(
            (field, value) -> {
              ObjectNode root = baselineTree.deepCopy();
              String[] path = field.split("\\.");
              JsonNode parent = path.length == 1 ? root : root.path(path[0]);
              if (parent instanceof ObjectNode o) {
                o.set(path[path.length - 1], value);
              }
              return new String(WireJson.write(root), StandardCharsets.UTF_8);
            });
  }

  @Provide
  Arbitrary<String> byteMutations() {
    Arbitrary<Integer> at = Arbitraries.integers().between(0, baseline.length());
    return Combinators.combine(at, at, Arbitraries.strings().ofMaxLength(12))
        .as(
            (from, to, splice) ->
                baseline.substring(0, Math.min(from, to))
                    + splice
                    + baseline.substring(Math.max(from, to)));
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
