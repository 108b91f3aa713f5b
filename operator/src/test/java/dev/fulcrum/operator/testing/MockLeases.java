package dev.fulcrum.operator.testing;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/**
 * JOSDK checks its Lease permissions with a SelfSubjectRulesReview before it elects a leader, which
 * the CRUD mock does not answer: the mock grants what the chart's Role would.
 */
public final class MockLeases {
  private MockLeases() {}

  public static void grant(KubernetesMockServer server) {
    server
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(
            201,
            new SelfSubjectRulesReviewBuilder()
                .withNewMetadata()
                .endMetadata()
                .withNewStatus()
                .addNewResourceRule()
                .withApiGroups("coordination.k8s.io")
                .withResources("leases")
                .withVerbs("get", "create", "update")
                .endResourceRule()
                .withIncomplete(false)
                .endStatus()
                .build())
        .always();
  }
}
