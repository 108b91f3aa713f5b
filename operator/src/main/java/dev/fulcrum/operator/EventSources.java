package dev.fulcrum.operator;

import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Objects;
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

  /** A Secret maps to the load balancers in its namespace that name it, so rotation re-pushes. */
  static InformerEventSource<Secret, ExternalLoadBalancer> credentials(
      EventSourceContext<ExternalLoadBalancer> context) {
    var config =
        InformerEventSourceConfiguration.from(Secret.class, ExternalLoadBalancer.class)
            .withName("credentials")
            .withSecondaryToPrimaryMapper(
                s ->
                    context
                        .getPrimaryCache()
                        .list(
                            e ->
                                Objects.equals(
                                        e.getMetadata().getNamespace(),
                                        s.getMetadata().getNamespace())
                                    && e.getSpec() != null
                                    && e.getSpec().credentialsSecretRef != null
                                    && Objects.equals(
                                        e.getSpec().credentialsSecretRef.name,
                                        s.getMetadata().getName()))
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()));
    return new InformerEventSource<>(config.build(), context);
  }
}
