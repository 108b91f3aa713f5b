package dev.fulcrum.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OperatorSettingsTest {
  @Test
  void defaultsWatchAllNamespacesWithLeaderElectionInThePodsNamespace() {
    OperatorSettings s = OperatorSettings.from(Map.of("POD_NAMESPACE", "lb-system"), new String[0]);
    assertThat(s.namespaces()).isEmpty();
    assertThat(s.leaderElection()).isTrue();
    assertThat(s.leaseNamespace()).isEqualTo("lb-system");
    assertThat(s.metricsPort()).isEqualTo(8080);
    assertThat(s.joinDebounce()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.clearTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.credentialsSecrets()).as("any Secret").isEmpty();
  }

  @Test
  void theReadableSecretsAndTheClearTimeoutAreSettings() {
    OperatorSettings s =
        OperatorSettings.from(
            Map.of("FULCRUM_CREDENTIALS_SECRETS", "lb-a-creds, lb-b-creds"),
            new String[] {"--clear-timeout-seconds=5"});
    assertThat(s.credentialsSecrets()).isEqualTo(Set.of("lb-a-creds", "lb-b-creds"));
    assertThat(s.clearTimeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void flagsOverrideTheEnvironment() {
    OperatorSettings s =
        OperatorSettings.from(
            Map.of("FULCRUM_NAMESPACES", "a", "FULCRUM_METRICS_PORT", "9000"),
            new String[] {"--namespaces=b, c", "--leader-election=false"});
    assertThat(s.namespaces()).isEqualTo(Set.of("b", "c"));
    assertThat(s.metricsPort()).isEqualTo(9000);
    assertThat(s.leaderElection()).isFalse();
  }

  @Test
  void aBadNumberNamesTheSetting() {
    assertThatThrownBy(
            () -> OperatorSettings.from(Map.of("FULCRUM_METRICS_PORT", "http"), new String[0]))
        .hasMessage("FULCRUM_METRICS_PORT: not a number (got \"http\")");
  }
}
