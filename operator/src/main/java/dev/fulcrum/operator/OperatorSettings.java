package dev.fulcrum.operator;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's settings from the environment (a flag {@code --name=value} overrides {@code
 * FULCRUM_NAME}).
 *
 * @param namespaces watched namespaces, empty for all
 * @param leaseNamespace where the leader-election Lease lives
 * @param clearTimeout how long a deleted resource with {@code deletionPolicy: Clear} waits for
 *     every proxy to drop it before its finalizer is released anyway (with a Warning event)
 * @param credentialsSecrets the only Secrets the operator reads (each watched by name, so RBAC can
 *     grant get, list and watch on these names alone); empty for any in the watched namespaces
 */
public record OperatorSettings(
    Set<String> namespaces,
    int metricsPort,
    boolean leaderElection,
    String leaseName,
    String leaseNamespace,
    String nodeLabelSelector,
    Duration poll,
    Duration joinDebounce,
    Duration clearTimeout,
    Set<String> credentialsSecrets) {
  /**
   * The safety-net check of every proxy. Changes reach status through each proxy's change stream
   * ({@code GET /v1/watch}) within a second or two; this only catches what a stream could miss.
   */
  public static final Duration DEFAULT_POLL = Duration.ofSeconds(60);

  /** As above with the default clear timeout, 60 s. */
  public OperatorSettings(
      Set<String> namespaces,
      int metricsPort,
      boolean leaderElection,
      String leaseName,
      String leaseNamespace,
      String nodeLabelSelector,
      Duration poll,
      Duration joinDebounce) {
    this(
        namespaces,
        metricsPort,
        leaderElection,
        leaseName,
        leaseNamespace,
        nodeLabelSelector,
        poll,
        joinDebounce,
        Duration.ofSeconds(60),
        Set.of());
  }

  /** As above with every Secret readable. */
  public OperatorSettings(
      Set<String> namespaces,
      int metricsPort,
      boolean leaderElection,
      String leaseName,
      String leaseNamespace,
      String nodeLabelSelector,
      Duration poll,
      Duration joinDebounce,
      Duration clearTimeout) {
    this(
        namespaces,
        metricsPort,
        leaderElection,
        leaseName,
        leaseNamespace,
        nodeLabelSelector,
        poll,
        joinDebounce,
        clearTimeout,
        Set.of());
  }

  public static OperatorSettings from(Map<String, String> env, String[] args) {
    Map<String, String> flags =
        Arrays.stream(args)
            .filter(a -> a.startsWith("--") && a.contains("="))
            .collect(
                Collectors.toMap(
                    a ->
                        "FULCRUM_" + a.substring(2, a.indexOf('=')).toUpperCase().replace('-', '_'),
                    a -> a.substring(a.indexOf('=') + 1),
                    (a, b) -> b));
    java.util.function.Function<String, String> get =
        k -> flags.getOrDefault(k, env.getOrDefault(k, ""));
    return new OperatorSettings(
        commaList(get.apply("FULCRUM_NAMESPACES")),
        intOr(get.apply("FULCRUM_METRICS_PORT"), 8080, "FULCRUM_METRICS_PORT"),
        !"false".equalsIgnoreCase(get.apply("FULCRUM_LEADER_ELECTION")),
        or(get.apply("FULCRUM_LEASE_NAME"), "fulcrum-operator"),
        or(get.apply("FULCRUM_LEASE_NAMESPACE"), or(env.get("POD_NAMESPACE"), "fulcrum-system")),
        get.apply("FULCRUM_NODE_LABEL_SELECTOR"),
        Duration.ofSeconds(
            intOr(
                get.apply("FULCRUM_POLL_SECONDS"),
                (int) DEFAULT_POLL.toSeconds(),
                "FULCRUM_POLL_SECONDS")),
        Duration.ofMillis(
            intOr(get.apply("FULCRUM_JOIN_DEBOUNCE_MS"), 1000, "FULCRUM_JOIN_DEBOUNCE_MS")),
        Duration.ofSeconds(
            intOr(get.apply("FULCRUM_CLEAR_TIMEOUT_SECONDS"), 60, "FULCRUM_CLEAR_TIMEOUT_SECONDS")),
        commaList(get.apply("FULCRUM_CREDENTIALS_SECRETS")));
  }

  private static Set<String> commaList(String v) {
    return v == null || v.isBlank()
        ? Set.of()
        : Arrays.stream(v.split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toSet());
  }

  private static String or(String v, String fallback) {
    return v == null || v.isBlank() ? fallback : v;
  }

  private static int intOr(String v, int fallback, String name) {
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": not a number (got \"" + v + "\")");
    }
  }
}
