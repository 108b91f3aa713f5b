package dev.fulcrum.proxy.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadBalancerConfigTest {
  private static LoadBalancerConfig config(List<BackendConfig> backends) {
    return new LoadBalancerConfig(
        null,
        1L,
        new FrontendConfig(6443, null, null, null, null),
        Balance.ROUND_ROBIN,
        null,
        null,
        backends,
        null,
        null,
        null);
  }

  private static final BackendConfig S1 = new BackendConfig("server-1", "10.10.10.50", 6443);
  private static final BackendConfig S2 = new BackendConfig("server-2", "10.10.10.51", 6443);

  @Test
  void equalContentHasEqualVersionWhateverTheBackendOrderOrEpoch() {
    String a = config(List.of(S1, S2)).contentVersion();
    String b = config(List.of(S2, S1)).withVersion(null, 7L).contentVersion();

    assertThat(a).isEqualTo(b).startsWith("sha256:").hasSize("sha256:".length() + 64);
  }

  @Test
  void anyContentChangeChangesTheVersion() {
    String base = config(List.of(S1, S2)).contentVersion();

    assertThat(config(List.of(S1)).contentVersion()).isNotEqualTo(base);
    assertThat(
            config(List.of(S1, new BackendConfig("server-2", "10.10.10.51", 6444)))
                .contentVersion())
        .isNotEqualTo(base);
  }

  @Test
  void spelledOutDefaultsHashLikeOmittedOnes() {
    LoadBalancerConfig omitted = config(List.of(S1));
    LoadBalancerConfig explicit =
        new LoadBalancerConfig(
            null,
            1L,
            new FrontendConfig(6443, "::", null, null, null),
            Balance.ROUND_ROBIN,
            new HealthCheckConfig(HealthCheckMode.TLS, 10, 5, 2, 3, 2, null, null, null),
            new TimeoutsConfig(5, 3600, 30),
            List.of(S1),
            10_000,
            new RebalanceConfig(0, 15),
            null);

    assertThat(explicit.contentVersion()).isEqualTo(omitted.contentVersion());
    assertThat(explicit).as("canonical on construction: the same value").isEqualTo(omitted);
  }

  @Test
  void aConfigIsCanonicalOnConstructionWhateverItWasBuiltFrom() {
    List<BackendConfig> given = new java.util.ArrayList<>(List.of(S2, S1));
    LoadBalancerConfig built = config(given);
    given.clear();
    LoadBalancerConfig read =
        read(
            "{\"frontend\":{\"port\":6443},\"balance\":\"RoundRobin\",\"epoch\":1,"
                + "\"backends\":[{\"name\":\"server-2\",\"address\":\"10.10.10.51\",\"port\":6443},"
                + "{\"name\":\"server-1\",\"address\":\"10.10.10.50\",\"port\":6443}]}");

    assertThat(built.backends())
        .as("sorted, and a copy of the caller's list")
        .containsExactly(S1, S2);
    assertThat(read).isEqualTo(built);
    assertThat(read.frontend().bind()).isEqualTo("::");
    assertThat(read.healthCheck())
        .isEqualTo(new HealthCheckConfig(HealthCheckMode.TLS, 10, 5, 2, 3, 2, null, null, null));
    assertThat(read.timeouts()).isEqualTo(new TimeoutsConfig(5, 3600, 30));
    assertThat(read.maxConnections()).isEqualTo(10_000);
    assertThat(read.rebalance()).isEqualTo(new RebalanceConfig(0, 15));
    assertThat(read.admission()).isEqualTo(new AdmissionConfig(1000, 256));
    assertThat(read("{}").backends()).isEmpty();
    assertThat(read("{}").balance()).isEqualTo(Balance.LEAST_CONNECTIONS);
    assertThat(read("{\"healthCheck\":{\"mode\":\"HTTPS\"}}").healthCheck())
        .as("an HTTPS check asks K3s's /ping for a 200")
        .extracting(HealthCheckConfig::path, HealthCheckConfig::expectStatus)
        .containsExactly("/ping", 200);
  }

  @Test
  void wireJsonRoundTripsWithTheResourcesSpelling() {
    LoadBalancerConfig stamped = config(List.of(S1)).stamped(3);
    String json = new String(WireJson.write(stamped), StandardCharsets.UTF_8);

    assertThat(json)
        .contains("\"balance\":\"RoundRobin\"", "\"mode\":\"TLS\"", "\"intervalSeconds\":10");
    assertThat(WireJson.read(json.getBytes(StandardCharsets.UTF_8), LoadBalancerConfig.class))
        .isEqualTo(stamped);
  }

  @Test
  void wrongTypesAndUnknownValuesNameTheField() {
    assertThatThrownBy(() -> read("{\"balance\":\"Fastest\"}"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage(
            "balance: unknown value \"Fastest\" (expected one of RoundRobin, LeastConnections, Random, SourceHash)");
    assertThatThrownBy(() -> read("{\"healthCheck\":{\"mode\":\"ICMP\"}}"))
        .hasMessageStartingWith("healthCheck.mode: unknown value \"ICMP\"");
    assertThatThrownBy(
            () -> read("{\"backends\":[{\"name\":\"a\",\"address\":\"x\",\"port\":\"high\"}]}"))
        .hasMessage("backends[0].port: wrong type (expected an integer)");
    assertThatThrownBy(() -> read("{\"frontend\":{\"prot\":1}}"))
        .hasMessage("frontend.prot: unknown field");
  }

  @Test
  void notJsonAtAllIsMalformedRatherThanInvalid() {
    assertThatThrownBy(() -> read("{\"balance\":")).isInstanceOf(MalformedJsonException.class);
    assertThatThrownBy(() -> read("null")).isInstanceOf(InvalidConfigException.class);
  }

  private static LoadBalancerConfig read(String json) {
    return WireJson.read(json.getBytes(StandardCharsets.UTF_8), LoadBalancerConfig.class);
  }
}
