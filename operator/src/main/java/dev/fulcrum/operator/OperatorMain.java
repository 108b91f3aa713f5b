package dev.fulcrum.operator;

import dev.fulcrum.operator.push.ProxyClient;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the operator: metrics endpoint, optional leader election, the one controller. */
public final class OperatorMain {
  private static final Logger log = LoggerFactory.getLogger(OperatorMain.class);

  private OperatorMain() {}

  public static void main(String[] args) throws Exception {
    OperatorSettings settings = OperatorSettings.from(System.getenv(), args);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AtomicReference<Operator> started = new AtomicReference<>();
    MetricsServer metrics =
        new MetricsServer(
            new InetSocketAddress(settings.metricsPort()),
            registry,
            () -> {
              Operator o = started.get();
              return o != null && o.getRuntimeInfo().allEventSourcesAreHealthy();
            });
    KubernetesClient client = new KubernetesClientBuilder().build();
    Operator operator = start(client, settings, registry);
    started.set(operator);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  operator.stop();
                  metrics.close();
                }));
    log.info("fulcrum-operator started; metrics on :{}/metrics", metrics.port());
  }

  /** Builds and starts an operator on this client; tests call it with the mock server's. */
  public static Operator start(
      KubernetesClient client, OperatorSettings settings, PrometheusMeterRegistry registry) {
    EpochSource epoch =
        settings.leaderElection()
            ? EpochSource.lease(client, settings.leaseNamespace(), settings.leaseName())
            : EpochSource.none();
    return start(client, settings, registry, epoch, true, true);
  }

  /**
   * Builds and starts an operator.
   *
   * @param useSsa patch status with server-side apply; the Fabric8 mock server answers apply
   *     patches with 415, so tests on it use JSON patch
   * @param exitOnStopLeading exit the JVM when the Lease is lost (production); tests stop instead
   */
  public static Operator start(
      KubernetesClient client,
      OperatorSettings settings,
      PrometheusMeterRegistry registry,
      EpochSource epoch,
      boolean useSsa,
      boolean exitOnStopLeading) {
    OperatorMetrics operatorMetrics = new OperatorMetrics(registry);
    operatorMetrics.leading(!settings.leaderElection());
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withUseSSAToPatchPrimaryResource(useSsa)
                  .withCloseClientOnStop(false)
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry));
              if (settings.leaderElection()) {
                o.withLeaderElectionConfiguration(
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(
                            settings.leaseName())
                        .withLeaseNamespace(settings.leaseNamespace())
                        .withExitOnStopLeading(exitOnStopLeading)
                        .withLeaderCallbacks(
                            new LeaderCallbacks(
                                () -> operatorMetrics.leading(true),
                                () -> operatorMetrics.leading(false),
                                leader -> {}))
                        .build());
              }
            });
    LoadBalancerSync sync =
        new LoadBalancerSync(
            new ProxyClient(Duration.ofSeconds(3), Duration.ofSeconds(5)),
            operatorMetrics,
            epoch,
            settings.joinDebounce(),
            settings.poll(),
            Clock.systemUTC());
    operator.register(
        new ExternalLoadBalancerReconciler(sync, client, settings.nodeLabelSelector()),
        c -> {
          if (!settings.namespaces().isEmpty()) {
            c.settingNamespaces(settings.namespaces());
          }
        });
    operator.start();
    return operator;
  }
}
