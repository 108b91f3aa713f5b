package dev.fulcrum.operator.reconcile;

import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.FieldSelector;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/** The informers the reconciler reads: all Nodes (cluster-wide) and the credentials Secrets. */
final class EventSources {
  private EventSources() {}

  /**
   * Every Node change that matters maps to every load balancer, since each selects its own servers.
   *
   * @param labelSelector an optional coarse selector; each spec's selector is applied in code too
   */
  static InformerEventSource<Node, ExternalLoadBalancer> nodes(
      EventSourceContext<ExternalLoadBalancer> context, String labelSelector) {
    var config =
        InformerEventSourceConfiguration.from(Node.class, ExternalLoadBalancer.class)
            .withName("nodes")
            .withWatchAllNamespaces()
            .withSecondaryToPrimaryMapper(
                n -> context.getPrimaryCache().keys().collect(Collectors.toSet()))
            .withOnUpdateFilter(NodeFacts::changed);
    if (labelSelector != null && !labelSelector.isBlank()) {
      config.withLabelSelector(labelSelector);
    }
    return new InformerEventSource<>(config.build(), context);
  }

  /**
   * The credentials Secrets: with {@code names}, one informer per name that lists and watches only
   * that name (a {@code metadata.name} field selector, which RBAC authorizes as that one resource
   * name); without, one for every Secret of the watched namespaces.
   */
  static List<InformerEventSource<Secret, ExternalLoadBalancer>> credentials(
      EventSourceContext<ExternalLoadBalancer> context, Set<String> names) {
    if (names.isEmpty()) {
      return List.of(credentials(context, "credentials", null));
    }
    return names.stream().sorted().map(n -> credentials(context, "credentials-" + n, n)).toList();
  }

  /**
   * Whether the spec names this Secret: its credentials, or the client certificate its health
   * checks present.
   */
  private static boolean names(ExternalLoadBalancerSpec spec, String secret) {
    return spec != null
        && ((spec.credentialsSecretRef != null
                && Objects.equals(spec.credentialsSecretRef.name, secret))
            || (spec.healthCheck != null
                && spec.healthCheck.clientCertificateSecretRef != null
                && Objects.equals(spec.healthCheck.clientCertificateSecretRef.name, secret)));
  }

  /** A Secret maps to the load balancers in its namespace that name it, so rotation re-pushes. */
  private static InformerEventSource<Secret, ExternalLoadBalancer> credentials(
      EventSourceContext<ExternalLoadBalancer> context, String informerName, String secretName) {
    var config =
        InformerEventSourceConfiguration.from(Secret.class, ExternalLoadBalancer.class)
            .withName(informerName)
            .withSecondaryToPrimaryMapper(
                s ->
                    context
                        .getPrimaryCache()
                        .list(
                            e ->
                                Objects.equals(
                                        e.getMetadata().getNamespace(),
                                        s.getMetadata().getNamespace())
                                    && names(e.getSpec(), s.getMetadata().getName()))
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()));
    if (secretName != null) {
      config.withFieldSelector(
          new FieldSelector(new FieldSelector.Field("metadata.name", secretName)));
    }
    return new InformerEventSource<>(config.build(), context);
  }
}
