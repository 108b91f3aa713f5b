package dev.fulcrum.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One external load balancer: a frontend on the lb hosts routing to the K3s servers. */
@Group(ExternalLoadBalancer.GROUP)
@Version(ExternalLoadBalancer.VERSION)
@ShortNames("elb")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Backends",
    jsonPath = ".status.backendsSummary",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Proxies",
    jsonPath = ".status.proxiesSummary",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Address",
    jsonPath = ".status.registrationAddress",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class ExternalLoadBalancer
    extends CustomResource<ExternalLoadBalancerSpec, ExternalLoadBalancerStatus>
    implements Namespaced {
  public static final String GROUP = "lb.fulcrum.dev";
  public static final String VERSION = "v1alpha1";

  /** The load balancer id on the proxies' admin API: {@code namespace.name}. */
  public String loadBalancerId() {
    return getMetadata().getNamespace() + "." + getMetadata().getName();
  }
}
