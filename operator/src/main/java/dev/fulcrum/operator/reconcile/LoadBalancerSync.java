package dev.fulcrum.operator.reconcile;

import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import dev.fulcrum.operator.crd.FrontendSpec;
import dev.fulcrum.operator.crd.HealthCheckSpec;
import dev.fulcrum.operator.desired.BackendSelection;
import dev.fulcrum.operator.desired.JoinDebounce;
import dev.fulcrum.operator.desired.SpecMapping;
import dev.fulcrum.operator.desired.SpecValidator;
import dev.fulcrum.operator.push.ClientCertificates;
import dev.fulcrum.operator.push.EpochSource;
import dev.fulcrum.operator.push.Observation;
import dev.fulcrum.operator.push.ProxyClient;
import dev.fulcrum.operator.push.ProxyCredentials;
import dev.fulcrum.operator.push.ProxyPushes;
import dev.fulcrum.operator.push.ProxyTarget;
import dev.fulcrum.operator.push.PushResult;
import dev.fulcrum.operator.status.Intent;
import dev.fulcrum.operator.status.Orphan;
import dev.fulcrum.operator.status.StatusBuilder;
import dev.fulcrum.operator.status.SyncFacts;
import dev.fulcrum.operator.telemetry.OperatorMetrics;
import dev.fulcrum.proxy.api.ClientCertificate;
import dev.fulcrum.proxy.api.ConfigValidator;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile of one load balancer: select backends, ask every proxy, push where it lags, and
 * compute the status. The reconciler hands it the informers' view and writes what it returns.
 */
public final class LoadBalancerSync {
  /** Who keeps a change stream open to the proxies of each load balancer. */
  public interface Watchers {
    Watchers NONE =
        new Watchers() {
          @Override
          public void track(String id, List<ProxyTarget> proxies, ProxyCredentials creds) {}

          @Override
          public void untrack(String id) {}
        };

    /** {@code id} reaches these proxies with these credentials now. */
    void track(String id, List<ProxyTarget> proxies, ProxyCredentials creds);

    void untrack(String id);
  }

  /** The status to write and when to look again. */
  public record Outcome(ExternalLoadBalancerStatus status, Duration nextCheck) {}

  /** How soon a leader that raised its epoch past a proxy's fence pushes again. */
  static final Duration RAISED_RETRY = Duration.ofMillis(100);

  /** How soon a delete from a proxy that left the spec is tried again. */
  static final Duration ORPHAN_RETRY = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(LoadBalancerSync.class);

  private final ProxyClient client;
  private final ProxyPushes pushes;
  private final JoinDebounce debounce;
  private final EpochSource epoch;
  private final Duration poll;
  private final Clock clock;
  private final OperatorMetrics metrics;
  private final Set<String> readableSecrets; // empty: any
  private volatile Watchers watchers = Watchers.NONE;

  public LoadBalancerSync(
      ProxyClient client,
      OperatorMetrics metrics,
      EpochSource epoch,
      Duration joinDebounce,
      Duration poll,
      Clock clock) {
    this(client, metrics, epoch, joinDebounce, poll, clock, Set.of());
  }

  /**
   * @param readableSecrets the only Secrets this operator may read ({@code
   *     FULCRUM_CREDENTIALS_SECRETS}); empty for any
   */
  public LoadBalancerSync(
      ProxyClient client,
      OperatorMetrics metrics,
      EpochSource epoch,
      Duration joinDebounce,
      Duration poll,
      Clock clock,
      Set<String> readableSecrets) {
    this.readableSecrets = Set.copyOf(readableSecrets);
    this.client = client;
    this.metrics = metrics;
    this.pushes = new ProxyPushes(client, metrics, poll);
    this.debounce = new JoinDebounce(joinDebounce);
    this.epoch = epoch;
    this.poll = poll;
    this.clock = clock;
  }

  ProxyClient client() {
    return client;
  }

  /** Set once at start-up, before the first reconcile. */
  void watchers(Watchers w) {
    this.watchers = w;
  }

  /** The change-stream revision the last answer of {@code proxy} about {@code id} reflected. */
  String seenRevision(String id, String proxy) {
    return pushes.seenRevision(id, proxy);
  }

  /** A proxy that was unreachable answers again: the next reconcile asks it at once. */
  void answered(String id, String proxy) {
    pushes.answered(id, proxy);
  }

  /** As below, for a load balancer whose health checks present no client certificate. */
  public Outcome sync(ExternalLoadBalancer elb, Collection<Node> nodes, Secret secret) {
    return sync(elb, nodes, secret, name -> null);
  }

  /**
   * Observes every proxy, pushes to those that lag, and says what status should be.
   *
   * @param secret the credentials Secret (spec.credentialsSecretRef); null when it is missing
   * @param secretNamed other Secrets of the resource's namespace by name (the health checks' client
   *     certificate), null for one that is missing or not readable
   */
  public Outcome sync(
      ExternalLoadBalancer elb,
      Collection<Node> nodes,
      Secret secret,
      java.util.function.Function<String, Secret> secretNamed) {
    ExternalLoadBalancerSpec spec = elb.getSpec();
    ExternalLoadBalancerStatus previous = elb.getStatus();
    long generation =
        elb.getMetadata().getGeneration() == null ? 0 : elb.getMetadata().getGeneration();
    Intent intent = Intent.of(spec);
    List<String> problems = SpecValidator.problems(spec);
    if (!problems.isEmpty()) {
      SyncFacts facts = SyncFacts.invalid(generation, intent, problems);
      return new Outcome(StatusBuilder.build(previous, facts, clock.instant()), poll);
    }
    String id = elb.loadBalancerId();
    BackendSelection selection =
        BackendSelection.select(nodes, spec.backends, servedStatic(previous));
    ProxyCredentials creds;
    ClientCertificate checkCertificate;
    String vrrpPassword;
    try {
      creds = credentials(elb, secret);
      checkCertificate = checkCertificate(elb, secretNamed);
      vrrpPassword = vrrpPassword(elb, secret);
    } catch (IllegalArgumentException e) {
      SyncFacts facts =
          new SyncFacts(
              generation,
              intent,
              List.of(),
              e.getMessage(),
              selection,
              null,
              List.of(),
              Map.of(),
              false,
              Orphan.of(previous, spec.proxies).stream()
                  .map(p -> new Orphan(p.name(), p.endpoint(), "not reached: " + e.getMessage()))
                  .toList());
      return new Outcome(StatusBuilder.build(previous, facts, clock.instant()), poll);
    }
    List<ProxyTarget> targets = intent.proxies();
    watchers.track(id, targets, creds);
    // Proxies that left the spec are told to stop serving while the others are synced.
    List<ProxyTarget> left = Orphan.of(previous, spec.proxies);
    List<CompletableFuture<String>> deletes =
        left.stream().map(p -> client.delete(p, id, creds)).toList();
    LoadBalancerConfig desired =
        selection.enough()
            ? SpecMapping.toConfig(
                spec, selection.backends(), checkCertificate, vrrpPassword, epoch.current())
            : null;
    ProxyPushes.Round round = pushes.observeAndPush(targets, id, desired, creds, debounce);
    List<Observation> seen = round.observations();
    Map<String, PushResult> results = round.results();
    boolean joinPending = round.joinPending();
    Duration next = min(poll, round.retryIn());
    // A fence above this operator's epoch, seen in a status or in a refusal (a load balancer
    // deleted from a proxy keeps its fence): a leader raises past it and pushes again at once; a
    // deposed operator raises nothing.
    long fence = highestFence(seen, results.values());
    if (desired != null && fence > desired.epoch() && epoch.raisePast(fence)) {
      targets.forEach(p -> pushes.retrySoon(id, p.name()));
      next = min(next, RAISED_RETRY);
    }
    List<Orphan> orphans = new ArrayList<>();
    for (int i = 0; i < left.size(); i++) {
      ProxyTarget p = left.get(i);
      String error = deletes.get(i).join();
      orphans.add(new Orphan(p.name(), p.endpoint(), error));
      if (error == null) {
        log.info("{}: deleted from {} ({}), which left spec.proxies", id, p.name(), p.endpoint());
      } else {
        next = min(next, ORPHAN_RETRY);
      }
    }
    pushes.recordSynced(id, seen, desired);
    SyncFacts facts =
        new SyncFacts(
            generation,
            intent,
            List.of(),
            null,
            selection,
            desired == null ? null : desired.version(),
            seen,
            results,
            joinPending,
            orphans);
    ExternalLoadBalancerStatus status = StatusBuilder.build(previous, facts, clock.instant());
    metrics.observed(id, intent.virtualIP(), status, seen);
    return new Outcome(status, next);
  }

  /**
   * deletionPolicy Clear: DELETE from every proxy of the spec and every orphan the status lists;
   * the errors left, empty when all are done.
   *
   * @throws IllegalArgumentException the credentials Secret is gone or unusable
   */
  public List<String> clear(ExternalLoadBalancer elb, Secret secret) {
    ProxyCredentials creds = credentials(elb, secret);
    String id = elb.loadBalancerId();
    List<ProxyTarget> all = new ArrayList<>(Intent.of(elb.getSpec()).proxies());
    all.addAll(Orphan.of(elb.getStatus(), elb.getSpec().proxies));
    List<CompletableFuture<String>> calls =
        all.stream().map(p -> client.delete(p, id, creds)).toList();
    List<String> errors =
        calls.stream().map(CompletableFuture::join).filter(e -> e != null).toList();
    if (errors.isEmpty()) {
      forget(id);
    }
    return errors;
  }

  public void forget(String id) {
    watchers.untrack(id);
    debounce.forget(id);
    pushes.forget(id);
  }

  private ProxyCredentials credentials(ExternalLoadBalancer elb, Secret secret) {
    String name = elb.getSpec().credentialsSecretRef.name;
    requireReadable(name, "spec.credentialsSecretRef");
    if (secret == null) {
      throw new IllegalArgumentException(
          "Secret "
              + elb.getSpec().credentialsSecretRef.name
              + " (spec.credentialsSecretRef) not found in namespace "
              + elb.getMetadata().getNamespace());
    }
    return ProxyCredentials.from(secret);
  }

  private void requireReadable(String name, String field) {
    if (!readableSecrets.isEmpty() && !readableSecrets.contains(name)) {
      throw new IllegalArgumentException(
          "Secret "
              + name
              + " ("
              + field
              + ") is not one this operator may read; it reads only "
              + String.join(", ", new java.util.TreeSet<>(readableSecrets))
              + " (FULCRUM_CREDENTIALS_SECRETS, chart value rbac.credentialsSecretNames)");
    }
  }

  /**
   * The certificate the health checks present (spec.healthCheck.clientCertificateSecretRef): a
   * kubernetes.io/tls Secret's tls.crt and tls.key, checked here so a bad one is named in status
   * rather than refused by every proxy.
   */
  private static final String CHECK_CERTIFICATE_FIELD =
      "spec.healthCheck.clientCertificateSecretRef";

  private ClientCertificate checkCertificate(
      ExternalLoadBalancer elb, java.util.function.Function<String, Secret> secretNamed) {
    HealthCheckSpec h = elb.getSpec().healthCheck;
    if (h == null || h.clientCertificateSecretRef == null) {
      return null;
    }
    String name = h.clientCertificateSecretRef.name;
    requireReadable(name, CHECK_CERTIFICATE_FIELD);
    Secret s = secretNamed.apply(name);
    if (s == null) {
      throw new IllegalArgumentException(
          "Secret "
              + name
              + " ("
              + CHECK_CERTIFICATE_FIELD
              + ") not found in namespace "
              + elb.getMetadata().getNamespace());
    }
    String cert = ProxyCredentials.value(s, "tls.crt");
    String key = ProxyCredentials.value(s, "tls.key");
    for (String[] k : new String[][] {{"tls.crt", cert}, {"tls.key", key}}) {
      if (k[1] == null || k[1].isBlank()) {
        throw new IllegalArgumentException(
            "Secret " + name + " (" + CHECK_CERTIFICATE_FIELD + ") has no key \"" + k[0] + "\"");
      }
    }
    try {
      ClientCertificates.check(cert, key);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "Secret "
              + name
              + " ("
              + CHECK_CERTIFICATE_FIELD
              + "): tls.crt and tls.key are not a usable certificate and key: "
              + e.getMessage());
    }
    return new ClientCertificate(cert, key);
  }

  /**
   * The VRRP password (spec.frontend.vrrpPasswordKey names its key in the credentials Secret),
   * checked here so a missing or unusable one is named in status; its value is never shown.
   */
  private static String vrrpPassword(ExternalLoadBalancer elb, Secret secret) {
    FrontendSpec f = elb.getSpec().frontend;
    if (f == null || f.vrrpPasswordKey == null) {
      return null;
    }
    String where =
        "Secret "
            + secret.getMetadata().getName()
            + " (spec.credentialsSecretRef), key \""
            + f.vrrpPasswordKey
            + "\" (spec.frontend.vrrpPasswordKey)";
    String value = ProxyCredentials.value(secret, f.vrrpPasswordKey);
    if (value == null) {
      throw new IllegalArgumentException(where + ": no such key");
    }
    if (!ConfigValidator.isVrrpPassword(value.strip())) {
      throw new IllegalArgumentException(where + ": " + ConfigValidator.VRRP_PASSWORD_RULE);
    }
    return value.strip();
  }

  /** spec.proxies as pushing sees them. */
  /** The endpoints the previous status shows served from static entries (no Node behind them). */
  private static Set<String> servedStatic(ExternalLoadBalancerStatus previous) {
    if (previous == null || previous.backends == null) {
      return Set.of();
    }
    Set<String> out = new java.util.HashSet<>();
    for (ExternalLoadBalancerStatus.BackendState b : previous.backends) {
      if (b.nodeReady == null && b.address != null && b.port != null) {
        out.add(new dev.fulcrum.proxy.api.BackendConfig(b.name, b.address, b.port).endpoint());
      }
    }
    return out;
  }

  /** The highest fence any proxy showed for this load balancer, in its status or a refusal. */
  private static long highestFence(List<Observation> seen, Collection<PushResult> pushes) {
    long highest = 0;
    for (Observation o : seen) {
      if (o.loadBalancer() != null) {
        highest = Math.max(highest, o.loadBalancer().epoch());
      }
    }
    for (PushResult r : pushes) {
      if (r.fenced()) {
        highest = Math.max(highest, r.fence());
      }
    }
    return highest;
  }

  static Duration min(Duration a, Duration b) {
    return b == null || a.compareTo(b) <= 0 ? a : b;
  }
}
