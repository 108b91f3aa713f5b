package dev.fulcrum.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.fulcrum.operator.crd.BackendsSpec;
import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec.BalanceSpec;
import dev.fulcrum.operator.crd.HealthCheckSpec;
import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.testing.RealApiServer;
import dev.fulcrum.operator.testing.Resources;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * What only a real API server enforces on the CRD (named by {@code FULCRUM_IT_KUBECONFIG}, e.g.
 * ../shared/realapi): its CEL rules, ranges and defaults, with the messages a user reads.
 */
@EnabledIfEnvironmentVariable(
    named = RealApiServer.ENV,
    matches = ".*\\S.*",
    disabledReason = RealApiServer.SKIPPED)
class RealApiIT {
  static final String VIP = "127.0.0.100";
  static RealApiServer api;
  static KubernetesClient client;

  @BeforeAll
  static void connect() {
    api = RealApiServer.connect("fulcrum-it-schema");
    client = api.client();
    Resources.registerCrd(client);
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName("externalloadbalancers.lb.fulcrum.dev")
        .waitUntilCondition(
            c ->
                c != null
                    && c.getStatus() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            x -> x.getType().equals("Established") && x.getStatus().equals("True")),
            30,
            TimeUnit.SECONDS);
  }

  @AfterAll
  static void disconnect() {
    if (api != null) {
      api.close();
    }
  }

  static ExternalLoadBalancer elb(String name, Consumer<ExternalLoadBalancer> change) {
    ExternalLoadBalancer e =
        Resources.elb(
            api.namespace(),
            name,
            6443,
            VIP + "/8",
            List.of(
                new ProxySpec("lb-1", "https://127.0.0.1:1", 2),
                new ProxySpec("lb-2", "https://127.0.0.2:1", 1)));
    change.accept(e);
    return e;
  }

  /** Every CEL rule of the CRD, with the specs that break it: a new rule needs a case here. */
  static Map<String, List<ExternalLoadBalancer>> badSpecsByRuleMessage() {
    Map<String, List<ExternalLoadBalancer>> cases = new LinkedHashMap<>();
    cases.put(
        "a virtualIP needs interface and virtualRouterId (keepalived's VRRP instance)",
        List.of(
            elb("no-interface", e -> e.getSpec().frontend.interfaceName = null),
            elb("no-router-id", e -> e.getSpec().frontend.virtualRouterId = null)));
    cases.put(
        "proxies[].name must be unique",
        List.of(elb("dup", e -> e.getSpec().proxies.get(1).name = "lb-1")));
    cases.put(
        "tolerancePercent has no effect unless closesPerSecond is above 0",
        List.of(
            elb(
                "tolerance-only",
                e -> {
                  e.getSpec().rebalance = new dev.fulcrum.operator.crd.RebalanceSpec();
                  e.getSpec().rebalance.tolerancePercent = 20;
                }),
            elb(
                "tolerance-off",
                e -> {
                  e.getSpec().rebalance = new dev.fulcrum.operator.crd.RebalanceSpec();
                  e.getSpec().rebalance.closesPerSecond = 0;
                  e.getSpec().rebalance.tolerancePercent = 20;
                })));
    cases.put(
        "unicast and preemptDelaySeconds are VRRP settings: they need a virtualIP",
        List.of(
            elb(
                "unicast-no-vip",
                e -> {
                  e.getSpec().frontend.virtualIP = null;
                  e.getSpec().frontend.unicast = true;
                }),
            elb(
                "preempt-no-vip",
                e -> {
                  e.getSpec().frontend.virtualIP = null;
                  e.getSpec().frontend.preemptDelaySeconds = 30;
                })));
    cases.put(
        "vrrpPasswordKey needs an IPv4 virtualIP: VRRP over IPv6 (VRRPv3) has no authentication",
        List.of(
            elb(
                "password-no-vip",
                e -> {
                  e.getSpec().frontend.virtualIP = null;
                  e.getSpec().frontend.vrrpPasswordKey = "vrrp-password";
                }),
            elb(
                "password-ipv6-vip",
                e -> {
                  e.getSpec().frontend.bind = "::";
                  e.getSpec().frontend.virtualIP = "fd00::100/64";
                  e.getSpec().frontend.vrrpPasswordKey = "vrrp-password";
                })));
    cases.put(
        "clientCertificateSecretRef is presented by HTTPS checks only: set mode: HTTPS",
        List.of(
            elb(
                "client-cert-tls",
                e -> {
                  e.getSpec().healthCheck = new dev.fulcrum.operator.crd.HealthCheckSpec();
                  e.getSpec().healthCheck.mode = dev.fulcrum.operator.crd.HealthCheckSpec.Mode.TLS;
                  e.getSpec().healthCheck.clientCertificateSecretRef =
                      new dev.fulcrum.operator.crd.ExternalLoadBalancerSpec.SecretRef("k3s-client");
                }),
            elb(
                "client-cert-default-mode",
                e -> {
                  e.getSpec().healthCheck = new dev.fulcrum.operator.crd.HealthCheckSpec();
                  e.getSpec().healthCheck.clientCertificateSecretRef =
                      new dev.fulcrum.operator.crd.ExternalLoadBalancerSpec.SecretRef("k3s-client");
                })));
    return cases;
  }

  /** The generated CRD (identical to crds/, CrdDriftTest checks). */
  static JsonNode crd() throws Exception {
    return new YAMLMapper()
        .readTree(
            Path.of(
                    System.getProperty("fulcrum.crd.generated", "target/crds"),
                    "externalloadbalancers.lb.fulcrum.dev-v1.yml")
                .toFile());
  }

  /** The messages of all x-kubernetes-validations rules in the CRD. */
  static List<String> celRuleMessages() throws Exception {
    List<String> messages = new ArrayList<>();
    collect(crd(), messages);
    return messages;
  }

  private static void collect(JsonNode node, List<String> messages) {
    node.path("x-kubernetes-validations").forEach(r -> messages.add(r.path("message").asText()));
    node.forEach(child -> collect(child, messages));
  }

  @Test
  void everyCelRuleRejectsItsBadSpecWithTheMessageAUserReadsAndStoresNothing() throws Exception {
    Map<String, List<ExternalLoadBalancer>> cases = badSpecsByRuleMessage();
    assertThat(new TreeSet<>(cases.keySet()))
        .as("each CEL rule in the CRD has a bad-spec case")
        .isEqualTo(new TreeSet<>(celRuleMessages()));
    cases.forEach(
        (message, specs) ->
            specs.forEach(
                bad -> {
                  assertThatThrownBy(() -> client.resource(bad).create())
                      .isInstanceOf(KubernetesClientException.class)
                      .hasMessageContaining("ExternalLoadBalancer.lb.fulcrum.dev")
                      .hasMessageContaining("\"" + bad.getMetadata().getName() + "\" is invalid")
                      .hasMessageContaining(message)
                      .satisfies(
                          e ->
                              assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422));
                  assertThat(client.resource(bad).get()).isNull();
                }));
  }

  @Test
  void theRuleMessagesNameTheFieldTheyGuard() {
    Map<String, List<ExternalLoadBalancer>> cases = badSpecsByRuleMessage();
    assertThatThrownBy(
            () -> client.resource(cases.get("proxies[].name must be unique").get(0)).create())
        .hasMessageContaining("spec.proxies");
    assertThatThrownBy(
            () ->
                client
                    .resource(
                        cases
                            .get(
                                "a virtualIP needs interface and virtualRouterId (keepalived's VRRP"
                                    + " instance)")
                            .get(0))
                    .create())
        .hasMessageContaining("spec.frontend");
  }

  @Test
  void anOutOfRangePortIsRejectedNamingTheField() {
    ExternalLoadBalancer port = elb("port", e -> e.getSpec().frontend.port = 70000);
    assertThatThrownBy(() -> client.resource(port).create())
        .hasMessageContaining("spec.frontend.port")
        .hasMessageContaining("65535");
    assertThat(client.resource(port).get()).isNull();
  }

  /** Every schema default of the CRD, by the path of its field, e.g. spec.balance. */
  static Map<String, JsonNode> schemaDefaults() throws Exception {
    Map<String, JsonNode> defaults = new LinkedHashMap<>();
    defaults(
        crd().path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema"),
        "",
        defaults);
    return defaults;
  }

  private static void defaults(JsonNode schema, String path, Map<String, JsonNode> out) {
    schema
        .path("properties")
        .fields()
        .forEachRemaining(
            f -> {
              String at = path.isEmpty() ? f.getKey() : path + "." + f.getKey();
              if (f.getValue().has("default")) {
                out.put(at, f.getValue().get("default"));
              }
              defaults(f.getValue(), at, out);
            });
  }

  @Test
  void theApiServerFillsInEverySchemaDefault() throws Exception {
    ExternalLoadBalancer sparse =
        Resources.elb(
            api.namespace(),
            "sparse",
            6443,
            null,
            List.of(new ProxySpec("lb-1", "https://127.0.0.1:1", 1)));
    sparse.getSpec().backends = new BackendsSpec();
    sparse.getSpec().healthCheck = new HealthCheckSpec();
    ExternalLoadBalancer created = client.resource(sparse).create();
    try {
      JsonNode stored = new ObjectMapper().valueToTree(created);
      Map<String, JsonNode> defaults = schemaDefaults();
      assertThat(defaults).containsKeys("spec.balance", "spec.backends.port");
      defaults.forEach(
          (path, value) -> {
            JsonNode at = stored;
            for (String part : path.split("\\.")) {
              at = at.path(part);
            }
            assertThat(at).as(path).isEqualTo(value);
          });
      assertThat(created.getSpec().balance).isEqualTo(BalanceSpec.LeastConnections);
      assertThat(created.getSpec().backends.port).isEqualTo(6443);
    } finally {
      client.resource(created).delete();
    }
  }
}
