package dev.fulcrum.operator.demo;

import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.Map;

/**
 * The discovery documents kubectl reads before {@code get elb} or {@code describe elb}, which the
 * Fabric8 mock server does not serve by itself (expectations would need the exact query kubectl
 * sends).
 */
final class Discovery {
  static final String GROUP = "lb.fulcrum.dev";
  static final String VERSION = "v1alpha1";
  private static final List<String> VERBS =
      List.of("get", "list", "watch", "create", "update", "patch", "delete");

  private Discovery() {}

  /** Answers the discovery paths (whatever the query) and passes every other request on. */
  static Dispatcher around(Dispatcher crud) {
    KubernetesSerialization json = new KubernetesSerialization();
    Map<String, String> documents =
        Map.of(
            "/api",
            json.asJson(new APIVersionsBuilder().withVersions("v1").build()),
            "/api/v1",
            json.asJson(
                new APIResourceListBuilder()
                    .withGroupVersion("v1")
                    .withResources(
                        resource("nodes", "Node", false, List.of("no")),
                        resource("namespaces", "Namespace", false, List.of("ns")),
                        resource("secrets", "Secret", true, List.of()),
                        resource("events", "Event", true, List.of("ev")))
                    .build()),
            "/apis",
            json.asJson(
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
                    .build()),
            "/apis/" + GROUP + "/" + VERSION,
            json.asJson(
                new APIResourceListBuilder()
                    .withGroupVersion(GROUP + "/" + VERSION)
                    .withResources(
                        resource(
                            "externalloadbalancers", "ExternalLoadBalancer", true, List.of("elb")),
                        new APIResourceBuilder()
                            .withName("externalloadbalancers/status")
                            .withKind("ExternalLoadBalancer")
                            .withNamespaced(true)
                            .withVerbs("get", "patch", "update")
                            .build())
                    .build()));
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath();
        int query = path.indexOf('?');
        String document = documents.get(query < 0 ? path : path.substring(0, query));
        if (!"GET".equals(request.getMethod())) {
          return crud.dispatch(request);
        }
        if (ElbTable.wanted(path, request.getHeader("Accept"))) {
          return table(crud.dispatch(request));
        }
        if (document == null) {
          return crud.dispatch(request);
        }
        // kubectl tells legacy documents from aggregated discovery by the Content-Type.
        return new MockResponse()
            .setResponseCode(200)
            .setHeader("Content-Type", "application/json")
            .setBody(document);
      }

      @Override
      public void shutdown() {
        crud.shutdown();
      }
    };
  }

  private static MockResponse table(MockResponse answer) {
    if (answer.code() != 200) {
      return answer;
    }
    try {
      return new MockResponse()
          .setResponseCode(200)
          .setHeader("Content-Type", "application/json")
          .setBody(ElbTable.of(answer.getBody().readUtf8()));
    } catch (java.io.IOException e) {
      return answer; // kubectl then prints NAME and AGE only
    }
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
