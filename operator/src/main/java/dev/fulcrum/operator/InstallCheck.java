package dev.fulcrum.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * What {@code helm test} runs (in the operator's own image): the CRD is served by the API server
 * and the operator's Service answers {@code /readyz}. Exit 0 when both hold, 1 with the reason.
 */
public final class InstallCheck {
  static final String GROUP_VERSION = "lb.fulcrum.dev/v1alpha1";

  private InstallCheck() {}

  /** {@code args[0]}: the operator's readiness URL, e.g. http://fulcrum:8080/readyz. */
  public static void main(String[] args) {
    String readyz = args.length > 0 ? args[0] : "http://localhost:8080/readyz";
    String problem;
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      problem = check(client, readyz);
    }
    if (problem != null) {
      System.err.println("fulcrum install check failed: " + problem);
      System.exit(1);
    }
    System.out.println(
        "fulcrum install check passed: " + GROUP_VERSION + " is served, " + readyz + " is ready");
  }

  /** Null when the install is healthy, else what is wrong. */
  static String check(KubernetesClient client, String readyz) {
    if (client.getApiResources(GROUP_VERSION) == null
        || client.getApiResources(GROUP_VERSION).getResources().stream()
            .noneMatch(r -> "externalloadbalancers".equals(r.getName()))) {
      return "the API server does not serve externalloadbalancers."
          + GROUP_VERSION
          + ": is the CRD installed (helm/fulcrum/crds)?";
    }
    try {
      HttpResponse<String> r =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .build()
              .send(
                  HttpRequest.newBuilder(URI.create(readyz)).timeout(Duration.ofSeconds(5)).build(),
                  HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200
          ? null
          : readyz + " answered " + r.statusCode() + ": " + r.body().strip();
    } catch (Exception e) {
      return readyz + " did not answer: " + e;
    }
  }
}
