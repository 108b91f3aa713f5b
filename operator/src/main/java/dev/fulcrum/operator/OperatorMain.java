package dev.fulcrum.operator;

import dev.fulcrum.operator.push.EpochSource;
import dev.fulcrum.operator.push.ProxyClient;
import dev.fulcrum.operator.reconcile.ExternalLoadBalancerReconciler;
import dev.fulcrum.operator.reconcile.LoadBalancerSync;
import dev.fulcrum.operator.telemetry.MetricsServer;
import dev.fulcrum.operator.telemetry.OperatorMetrics;
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
    LeaseHandOver handOver = new LeaseHandOver(identity(System.getenv()));
    Operator operator = start(client, settings, registry, handOver);
    started.set(operator);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  // Nothing here may call System.exit: the JVM is already exiting and would hang.
                  handOver.stopping();
                  operator.stop();
                  if (settings.leaderElection()) {
                    handOver.release(client, settings.leaseNamespace(), settings.leaseName());
                  }
                  metrics.close();
                  log.info("fulcrum-operator stopped");
                  // A requested stop that finished its work is a success, not "killed by signal"
                  // (143); halt is the one exit allowed inside a shutdown hook.
                  System.out.flush();
                  System.err.flush();
                  Runtime.getRuntime().halt(0);
                }));
    log.info("fulcrum-operator started; metrics on :{}/metrics", metrics.port());
  }

  /** The leader-election identity: the pod name (HOSTNAME in a pod), made unique per process. */
  static String identity(java.util.Map<String, String> env) {
    String host = env.getOrDefault("HOSTNAME", "");
    String suffix = java.util.UUID.randomUUID().toString().substring(0, 8);
    return host.isBlank() ? "fulcrum-" + suffix : host + "-" + suffix;
  }

  /** Builds and starts an operator on this client, leading under the hand-over's identity. */
  public static Operator start(
      KubernetesClient client,
      OperatorSettings settings,
      PrometheusMeterRegistry registry,
      LeaseHandOver handOver) {
    return start(client, settings, registry, null, true, handOver);
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
    return start(
        client,
        settings,
        registry,
        epoch,
        useSsa,
        exitOnStopLeading ? new LeaseHandOver(identity(System.getenv())) : null);
  }

  /**
   * Builds and starts an operator.
   *
   * @param epoch the fencing token; null for the production one, a {@link LeaderEpoch}
   * @param handOver exits on a lost Lease and names this process in it; null in tests that stop the
   *     operator themselves
   */
  public static Operator start(
      KubernetesClient client,
      OperatorSettings settings,
      PrometheusMeterRegistry registry,
      EpochSource epoch,
      boolean useSsa,
      LeaseHandOver handOver) {
    OperatorMetrics operatorMetrics = new OperatorMetrics(registry);
    operatorMetrics.leading(!settings.leaderElection());
    String identity = handOver != null ? handOver.identity() : identity(System.getenv());
    EpochSource fencing =
        epoch != null
            ? epoch
            : settings.leaderElection()
                ? LeaderEpoch.leased(
                    client,
                    settings.leaseNamespace(),
                    settings.leaseName(),
                    identity,
                    Clock.systemUTC())
                : LeaderEpoch.single(Clock.systemUTC());
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withUseSSAToPatchPrimaryResource(useSsa)
                  .withCloseClientOnStop(false)
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry));
              if (settings.leaderElection()) {
                // JOSDK's exit-on-stop-leading would call System.exit inside the shutdown hook.
                var election =
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(
                            settings.leaseName())
                        .withLeaseNamespace(settings.leaseNamespace())
                        .withExitOnStopLeading(false);
                LeaderCallbacks handOverCallbacks = handOver == null ? null : handOver.callbacks();
                election.withIdentity(identity);
                // fulcrum_operator_leader follows the Lease; the hand-over (if any) acts on it.
                election.withLeaderCallbacks(
                    new LeaderCallbacks(
                        () -> {
                          operatorMetrics.leading(true);
                          if (handOverCallbacks != null) {
                            handOverCallbacks.onStartLeading();
                          }
                        },
                        () -> {
                          operatorMetrics.leading(false);
                          if (handOverCallbacks != null) {
                            handOverCallbacks.onStopLeading();
                          }
                        },
                        leader -> {
                          if (handOverCallbacks != null) {
                            handOverCallbacks.onNewLeader(leader);
                          }
                        }));
                o.withLeaderElectionConfiguration(election.build());
              }
            });
    LoadBalancerSync sync =
        new LoadBalancerSync(
            new ProxyClient(Duration.ofSeconds(3), Duration.ofSeconds(5)),
            operatorMetrics,
            fencing,
            settings.joinDebounce(),
            settings.poll(),
            Clock.systemUTC(),
            settings.credentialsSecrets());
    operator.register(
        new ExternalLoadBalancerReconciler(
            sync,
            client,
            settings.nodeLabelSelector(),
            settings.clearTimeout(),
            settings.credentialsSecrets(),
            useSsa),
        c -> {
          if (!settings.namespaces().isEmpty()) {
            c.settingNamespaces(settings.namespaces());
          }
        });
    operator.start();
    return operator;
  }
}
