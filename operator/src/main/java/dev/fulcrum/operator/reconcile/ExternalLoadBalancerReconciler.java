package dev.fulcrum.operator.reconcile;

import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec.DeletionPolicy;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import dev.fulcrum.operator.status.Orphan;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps every proxy serving the Ready server Nodes of each ExternalLoadBalancer. */
@ControllerConfiguration(name = ExternalLoadBalancerReconciler.NAME)
public class ExternalLoadBalancerReconciler
    implements Reconciler<ExternalLoadBalancer>, Cleaner<ExternalLoadBalancer> {
  public static final String NAME = "externalloadbalancer";
  private static final Logger log = LoggerFactory.getLogger(ExternalLoadBalancerReconciler.class);

  private final LoadBalancerSync sync;
  private final boolean serverSideApply;
  private final ChangeEvents events;
  private final String nodeLabelSelector;
  private final Duration clearTimeout;
  private InformerEventSource<Node, ExternalLoadBalancer> nodes;
  private final Set<String> credentialsSecrets;
  private List<InformerEventSource<Secret, ExternalLoadBalancer>> secrets;

  public ExternalLoadBalancerReconciler(
      LoadBalancerSync sync,
      io.fabric8.kubernetes.client.KubernetesClient client,
      String nodeLabelSelector,
      Duration clearTimeout,
      Set<String> credentialsSecrets) {
    this(sync, client, nodeLabelSelector, clearTimeout, credentialsSecrets, true);
  }

  /**
   * @param serverSideApply whether the API server takes server-side apply for status (the Fabric8
   *     mock does not)
   */
  public ExternalLoadBalancerReconciler(
      LoadBalancerSync sync,
      io.fabric8.kubernetes.client.KubernetesClient client,
      String nodeLabelSelector,
      Duration clearTimeout,
      Set<String> credentialsSecrets,
      boolean serverSideApply) {
    this.serverSideApply = serverSideApply;
    this.credentialsSecrets = Set.copyOf(credentialsSecrets);
    this.sync = sync;
    this.events = new ChangeEvents(client);
    this.nodeLabelSelector = nodeLabelSelector;
    this.clearTimeout = clearTimeout;
  }

  @Override
  public List<EventSource<?, ExternalLoadBalancer>> prepareEventSources(
      EventSourceContext<ExternalLoadBalancer> context) {
    nodes = EventSources.nodes(context, nodeLabelSelector);
    secrets = EventSources.credentials(context, credentialsSecrets);
    List<EventSource<?, ExternalLoadBalancer>> all = new ArrayList<>();
    all.add(nodes);
    all.addAll(secrets);
    ProxyChanges changes = new ProxyChanges(sync.client(), sync::answered, sync::seenRevision);
    sync.watchers(changes);
    all.add(changes);
    return all;
  }

  @Override
  public UpdateControl<ExternalLoadBalancer> reconcile(
      ExternalLoadBalancer elb, Context<ExternalLoadBalancer> context) {
    LoadBalancerSync.Outcome o =
        sync.sync(
            elb,
            nodes.list(n -> true).toList(),
            secretOf(elb),
            name -> secretNamed(name, elb.getMetadata().getNamespace()));
    events.emit(elb, ChangeEvents.between(elb.getStatus(), o.status()));
    if (StatusDiff.same(elb.getStatus(), o.status())) {
      return UpdateControl.<ExternalLoadBalancer>noUpdate().rescheduleAfter(o.nextCheck());
    }
    if (!serverSideApply) {
      // Without server-side apply JOSDK would send a JSON Patch computed against its cached copy,
      // whose list indexes a concurrent write can have moved ("index out of bounds"): replace the
      // whole status instead, locked on the resourceVersion read, retried from the cache on a
      // conflict, and cached for the next reconcile.
      ExternalLoadBalancerStatus status = o.status();
      PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(
          elb,
          context,
          r -> {
            r.setStatus(status);
            return r;
          });
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
    String id = elb.loadBalancerId();
    Secret secret = secretOf(elb);
    if (secret == null) {
      // Nothing can reach the proxies (e.g. `kubectl delete namespace` took the Secret first).
      return releaseAnyway(
          elb,
          "CleanupSkipped",
          "the credentials Secret "
              + elb.getSpec().credentialsSecretRef.name
              + " is gone, so "
              + id
              + " could not be removed from "
              + proxyNames(elb)
              + "; they keep serving it until an admin runs DELETE /v1/loadbalancers/"
              + id
              + " on each");
    }
    List<String> errors;
    try {
      errors = sync.clear(elb, secret);
    } catch (IllegalArgumentException unusable) {
      return releaseAnyway(
          elb,
          "CleanupSkipped",
          unusable.getMessage()
              + "; "
              + id
              + " could not be removed from "
              + proxyNames(elb)
              + ", which keep serving it until an admin runs DELETE /v1/loadbalancers/"
              + id
              + " on each");
    }
    if (errors.isEmpty()) {
      log.info("{}: removed from every proxy (deletionPolicy Clear)", id);
      return DeleteControl.defaultDelete();
    }
    Duration waited = sinceDeletion(elb);
    if (waited.compareTo(clearTimeout) >= 0) {
      return releaseAnyway(
          elb,
          "CleanupTimedOut",
          "after "
              + waited.toSeconds()
              + " s "
              + id
              + " is still not removed everywhere ("
              + String.join("; ", errors)
              + "); the finalizer is released and those proxies keep serving it until removed by"
              + " hand: DELETE /v1/loadbalancers/"
              + id);
    }
    log.warn("{}: not yet removed everywhere: {}", id, String.join("; ", errors));
    Duration left = clearTimeout.minus(waited);
    return DeleteControl.noFinalizerRemoval()
        .rescheduleAfter(Math.max(100, Math.min(5_000, left.toMillis())));
  }

  /** Releases the finalizer although some proxy may still serve the load balancer; says so. */
  private DeleteControl releaseAnyway(ExternalLoadBalancer elb, String reason, String message) {
    log.warn("{}: {}", elb.loadBalancerId(), message);
    events.emit(elb, List.of(new ChangeEvents.Change("Warning", reason, message)));
    sync.forget(elb.loadBalancerId());
    return DeleteControl.defaultDelete();
  }

  private static String proxyNames(ExternalLoadBalancer elb) {
    List<String> names = new ArrayList<>();
    elb.getSpec().proxies.forEach(p -> names.add(p.name + " (" + p.endpoint + ")"));
    Orphan.of(elb.getStatus(), elb.getSpec().proxies)
        .forEach(p -> names.add(p.name() + " (" + p.endpoint() + ", left the spec)"));
    return String.join(", ", names);
  }

  private static Duration sinceDeletion(ExternalLoadBalancer elb) {
    String ts = elb.getMetadata().getDeletionTimestamp();
    if (ts == null) {
      return Duration.ZERO;
    }
    return Duration.between(Instant.parse(ts), Instant.now());
  }

  private Secret secretOf(ExternalLoadBalancer elb) {
    if (elb.getSpec() == null || elb.getSpec().credentialsSecretRef == null) {
      return null;
    }
    return secretNamed(elb.getSpec().credentialsSecretRef.name, elb.getMetadata().getNamespace());
  }

  /** A Secret the informers hold; null when missing or not one this operator may read. */
  private Secret secretNamed(String name, String namespace) {
    ResourceID id = new ResourceID(name, namespace);
    for (InformerEventSource<Secret, ExternalLoadBalancer> informer : secrets) {
      Secret s = informer.get(id).orElse(null);
      if (s != null) {
        return s;
      }
    }
    return null;
  }
}
