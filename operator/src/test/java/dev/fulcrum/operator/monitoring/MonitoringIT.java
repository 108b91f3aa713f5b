package dev.fulcrum.operator.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.operator.crd.BackendsSpec;
import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.HealthCheckSpec;
import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.push.EpochSource;
import dev.fulcrum.operator.telemetry.MetricsServer;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.RealProxy;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.operator.testing.TestCluster;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.Ports;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus on loopback scrapes a real proxy and the operator; every panel of the chart's
 * dashboard returns data, and every metric each alert reads exists. An alert's own condition is
 * false while all is well, so for alerts the test asks for each metric it names (label matchers
 * dropped: {@code outcome="error"} exists only after a failed push), which fails when an alert
 * reads a metric nothing exports.
 */
@EnableKubernetesMockClient(crud = true)
class MonitoringIT {
  private static final Path FILES = Path.of("../helm/fulcrum/files");
  private static final Pattern METRIC = Pattern.compile("\\bfulcrum_[a-z_]+\\b");
  private static final ObjectMapper JSON = new ObjectMapper();
  static KubernetesClient client;

  @TempDir Path dir;

  @Test
  void everyDashboardPanelAndEveryAlertsMetricHasDataFromARealProxyAndOperator() throws Exception {
    assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/prometheus")),
        "prometheus is not installed (Debian: apt-get install prometheus; .ci/run does)");
    Pki.Issued ca = TestPki.authority("monitoring-ca");
    try (TestCluster cluster = new TestCluster(client).startOperator(EpochSource.none());
        EchoBackend server = EchoBackend.startTls("server-1", "127.0.0.11", List.of("127.0.0.11"));
        RealProxy lb1 = new RealProxy("lb-1", "127.0.0.2", ca, "mon-token", dir.resolve("lb-1"));
        MetricsServer operatorMetrics =
            new MetricsServer(
                new InetSocketAddress("127.0.0.1", Ports.free("127.0.0.1")), cluster.registry())) {
      InetSocketAddress proxyTelemetry = lb1.startTelemetry();
      client
          .secrets()
          .resource(Resources.credentials("mon-token", ca.certificatePem()))
          .createOr(r -> r.update());
      cluster.put(Nodes.server("server-1", "127.0.0.11").build());
      int frontend = Ports.free("127.0.0.2");
      // A VIP from the documentation range: only configuration here, never a traffic target.
      ExternalLoadBalancer elb =
          Resources.elb(
              "k3s-api",
              frontend,
              "192.0.2.100/24",
              List.of(new ProxySpec("lb-1", lb1.endpoint(), 200)));
      elb.getSpec().backends = new BackendsSpec();
      elb.getSpec().backends.port = server.port();
      elb.getSpec().healthCheck = new HealthCheckSpec();
      elb.getSpec().healthCheck.mode = HealthCheckSpec.Mode.TLS;
      elb.getSpec().healthCheck.intervalSeconds = 1;
      client.resource(elb).create();
      await()
          .atMost(TestCluster.PATIENCE)
          .ignoreExceptions()
          .untilAsserted(
              () ->
                  assertThat(lb1.served(Resources.NAMESPACE + ".k3s-api"))
                      .containsExactly("server-1"));

      Path config =
          Files.writeString(
              dir.resolve("prometheus.yml"),
              String.join(
                  "\n",
                  "global: {scrape_interval: 1s, evaluation_interval: 1s}",
                  "rule_files: [" + FILES.toAbsolutePath().resolve("fulcrum-alerts.yaml") + "]",
                  "scrape_configs:",
                  "  - job_name: fulcrum-proxy",
                  "    static_configs: [{targets: ['" + hostPort(proxyTelemetry) + "']}]",
                  "  - job_name: fulcrum-operator",
                  "    static_configs: [{targets: ['127.0.0.1:" + operatorMetrics.port() + "']}]",
                  ""));
      int web = Ports.free("127.0.0.1");
      Process prometheus =
          new ProcessBuilder(
                  "/usr/bin/prometheus",
                  "--config.file=" + config,
                  "--storage.tsdb.path=" + dir.resolve("tsdb"),
                  "--web.listen-address=127.0.0.1:" + web)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("prometheus.log").toFile())
              .start();
      try {
        HttpClient http = HttpClient.newHttpClient();
        List<String> queries = queries();
        assertThat(queries).hasSizeGreaterThanOrEqualTo(12);
        await()
            .atMost(Duration.ofSeconds(90))
            .failFast("prometheus exited", () -> !prometheus.isAlive())
            .ignoreExceptionsInstanceOf(java.io.IOException.class)
            .untilAsserted(
                () -> {
                  dial(frontend); // a proxied connection: the dial-latency histogram moves
                  List<String> empty = new ArrayList<>();
                  for (String q : queries) {
                    if (result(http, web, q).isEmpty()) {
                      empty.add(q);
                    }
                  }
                  assertThat(empty).as("queries that returned nothing").isEmpty();
                });
        // Prometheus loaded the chart's rules and evaluates them.
        JsonNode rules = get(http, web, "/api/v1/rules");
        assertThat(rules.path("data").path("groups").get(0).path("rules").size()).isEqualTo(9);
      } finally {
        prometheus.destroy();
        prometheus.waitFor();
      }
    }
  }

  /** Every panel's expression, and every metric each alert names. */
  private static List<String> queries() throws Exception {
    Set<String> out = new LinkedHashSet<>();
    JsonNode dashboard = JSON.readTree(FILES.resolve("fulcrum-dashboard.json").toFile());
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        out.add(target.path("expr").asText().replace("$__rate_interval", "1m"));
      }
    }
    Matcher m = METRIC.matcher(Files.readString(FILES.resolve("fulcrum-alerts.yaml")));
    while (m.find()) {
      out.add(m.group());
    }
    return new ArrayList<>(out);
  }

  private static JsonNode result(HttpClient http, int port, String query) throws Exception {
    JsonNode r =
        get(http, port, "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
    assertThat(r.path("status").asText()).as(query + ": " + r).isEqualTo("success");
    return r.path("data").path("result");
  }

  private static JsonNode get(HttpClient http, int port, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  private static String hostPort(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }

  private static void dial(int port) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.2", port), 1000);
    }
  }
}
