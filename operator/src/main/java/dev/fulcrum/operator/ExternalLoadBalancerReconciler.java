package dev.fulcrum.operator;

import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec.DeletionPolicy;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps every proxy serving the Ready server Nodes of each ExternalLoadBalancer. */
@ControllerConfiguration(name = ExternalLoadBalancerReconciler.NAME)
public class ExternalLoadBalancerReconciler
    implements Reconciler<ExternalLoadBalancer>, Cleaner<ExternalLoadBalancer> {
  public static final String NAME = "externalloadbalancer";
  private static final Logger log = LoggerFactory.getLogger(ExternalLoadBalancerReconciler.class);

  private final LoadBalancerSync sync;
  private final ChangeEvents events;
  private final String nodeLabelSelector;
  private InformerEventSource<Node, ExternalLoadBalancer> nodes;
  private InformerEventSource<Secret, ExternalLoadBalancer> secrets;

  public ExternalLoadBalancerReconciler(
      LoadBalancerSync sync,
      io.fabric8.kubernetes.client.KubernetesClient client,
      String nodeLabelSelector) {
    this.sync = sync;
    this.events = new ChangeEvents(client);
    this.nodeLabelSelector = nodeLabelSelector;
  }

  @Override
  public List<EventSource<?, ExternalLoadBalancer>> prepareEventSources(
      EventSourceContext<ExternalLoadBalancer> context) {
    nodes = EventSources.nodes(context, nodeLabelSelector);
    secrets = EventSources.credentials(context);
    return List.of(nodes, secrets);
  }

  @Override
  public UpdateControl<ExternalLoadBalancer> reconcile(
      ExternalLoadBalancer elb, Context<ExternalLoadBalancer> context) {
    LoadBalancerSync.Outcome o = sync.sync(elb, nodes.list(n -> true).toList(), secretOf(elb));
    events.emit(elb, ChangeEvents.between(elb.getStatus(), o.status()));
    if (StatusDiff.same(elb.getStatus(), o.status())) {
      return UpdateControl.<ExternalLoadBalancer>noUpdate().rescheduleAfter(o.nextCheck());
    }
    return UpdateControl.patchStatus(statusPatch(elb, o.status())).rescheduleAfter(o.nextCheck());
  }

  /** A reconcile that threw shows on the resource as Ready=False ReconcileError; JOSDK retries. */
  @Override
  public ErrorStatusUpdateControl<ExternalLoadBalancer> updateErrorStatus(
      ExternalLoadBalancer elb, Context<ExternalLoadBalancer> context, Exception e) {
    log.warn("{}: reconcile failed: {}", elb.loadBalancerId(), e.toString());
    ExternalLoadBalancerStatus s = ErrorStatus.of(elb, e, Instant.now());
    return ErrorStatusUpdateControl.patchStatus(statusPatch(elb, s));
  }

  /** A fresh object with only name, namespace and status, as the JOSDK samples patch it. */
  private static ExternalLoadBalancer statusPatch(
      ExternalLoadBalancer elb, ExternalLoadBalancerStatus status) {
    ExternalLoadBalancer patch = new ExternalLoadBalancer();
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(elb.getMetadata().getName())
            .withNamespace(elb.getMetadata().getNamespace())
            .build());
    patch.setStatus(status);
    return patch;
  }

  @Override
  public DeleteControl cleanup(ExternalLoadBalancer elb, Context<ExternalLoadBalancer> context) {
    if (elb.getSpec() == null || elb.getSpec().deletionPolicy != DeletionPolicy.Clear) {
      sync.forget(elb.loadBalancerId());
      return DeleteControl.defaultDelete(); // Retain: the proxies keep serving
    }
    List<String> errors = sync.clear(elb, secretOf(elb));
    if (errors.isEmpty()) {
      log.info("{}: removed from every proxy (deletionPolicy Clear)", elb.loadBalancerId());
      return DeleteControl.defaultDelete();
    }
    log.warn("{}: not yet removed everywhere: {}", elb.loadBalancerId(), String.join("; ", errors));
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(5_000);
  }

  private Secret secretOf(ExternalLoadBalancer elb) {
    if (elb.getSpec() == null || elb.getSpec().credentialsSecretRef == null) {
      return null;
    }
    ResourceID id =
        new ResourceID(elb.getSpec().credentialsSecretRef.name, elb.getMetadata().getNamespace());
    return secrets.get(id).orElse(null);
  }
}
