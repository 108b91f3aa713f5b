package dev.fulcrum.operator.demo;

import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;

/**
 * The discovery documents kubectl reads before {@code get elb} or {@code describe elb}, which the
 * Fabric8 mock server does not serve by itself.
 */
final class Discovery {
  static final String GROUP = "lb.fulcrum.dev";
  static final String VERSION = "v1alpha1";
  private static final List<String> VERBS =
      List.of("get", "list", "watch", "create", "update", "patch", "delete");

  private Discovery() {}

  static void serve(KubernetesMockServer server) {
    server
        .expect()
        .get()
        .withPath("/api")
        .andReturn(200, new APIVersionsBuilder().withVersions("v1").build())
        .always();
    server
        .expect()
        .get()
        .withPath("/api/v1")
        .andReturn(
            200,
            new APIResourceListBuilder()
                .withGroupVersion("v1")
                .withResources(
                    resource("nodes", "Node", false, List.of("no")),
                    resource("namespaces", "Namespace", false, List.of("ns")),
                    resource("secrets", "Secret", true, List.of()),
                    resource("events", "Event", true, List.of("ev")))
                .build())
        .always();
    server
        .expect()
        .get()
        .withPath("/apis")
        .andReturn(
            200,
            new APIGroupListBuilder()
                .addNewGroup()
                .withName(GROUP)
                .addNewVersion()
                .withGroupVersion(GROUP + "/" + VERSION)
                .withVersion(VERSION)
                .endVersion()
                .withNewPreferredVersion()
                .withGroupVersion(GROUP + "/" + VERSION)
                .withVersion(VERSION)
                .endPreferredVersion()
                .endGroup()
                .build())
        .always();
    server
        .expect()
        .get()
        .withPath("/apis/" + GROUP + "/" + VERSION)
        .andReturn(
            200,
            new APIResourceListBuilder()
                .withGroupVersion(GROUP + "/" + VERSION)
                .withResources(
                    resource("externalloadbalancers", "ExternalLoadBalancer", true, List.of("elb")),
                    new APIResourceBuilder()
                        .withName("externalloadbalancers/status")
                        .withKind("ExternalLoadBalancer")
                        .withNamespaced(true)
                        .withVerbs("get", "patch", "update")
                        .build())
                .build())
        .always();
  }

  private static APIResource resource(
      String plural, String kind, boolean namespaced, List<String> shortNames) {
    return new APIResourceBuilder()
        .withName(plural)
        .withSingularName(kind.toLowerCase(java.util.Locale.ROOT))
        .withKind(kind)
        .withNamespaced(namespaced)
        .withVerbs(VERBS)
        .withShortNames(shortNames)
        .build();
  }
}
