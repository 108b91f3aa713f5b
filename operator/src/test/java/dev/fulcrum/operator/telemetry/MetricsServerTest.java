package dev.fulcrum.operator.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
  @Test
  void metricsEndpointServesPushLatencyAndProxiesSyncedInPrometheusFormat() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMetrics metrics = new OperatorMetrics(registry);
    metrics.pushed("ns.lb", "lb-1", true, Duration.ofMillis(12));
    metrics.proxiesSynced("ns.lb", 2);
    try (MetricsServer server =
        new MetricsServer(new InetSocketAddress("127.0.0.1", 0), registry)) {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body())
          .contains(
              "fulcrum_operator_push_seconds_count{loadbalancer=\"ns.lb\",outcome=\"ok\",proxy=\"lb-1\"} 1")
          .contains("fulcrum_operator_proxies_synced{loadbalancer=\"ns.lb\"} 2");
    }
  }

  @Test
  void probesAnswerLivenessAlwaysAndReadinessOnceStarted() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean ready =
        new java.util.concurrent.atomic.AtomicBoolean();
    try (MetricsServer server =
        new MetricsServer(
            new InetSocketAddress("127.0.0.1", 0),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            ready::get)) {
      assertThat(status(server, "/healthz")).isEqualTo(200);
      assertThat(status(server, "/readyz")).isEqualTo(503);
      ready.set(true);
      assertThat(status(server, "/readyz")).isEqualTo(200);
    }
  }

  private static int status(MetricsServer server, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
