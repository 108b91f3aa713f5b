package dev.fulcrum.proxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendHealthTest {

  @Test
  void theWireSpellsHealthAsTheResourcesStatusDoes() throws Exception {
    BackendStatus up =
        new BackendStatus("s1", "10.10.10.50", 6443, BackendHealth.UP, 1, 2, null, null);

    String json = new String(WireJson.MAPPER.writeValueAsBytes(up), StandardCharsets.UTF_8);

    assertThat(json).contains("\"health\":\"Up\"");
    assertThat(WireJson.MAPPER.readValue(json, BackendStatus.class).health())
        .isEqualTo(BackendHealth.UP);
    assertThat(List.of(BackendHealth.values()))
        .extracting(BackendHealth::label)
        .containsExactly("Up", "Down", "Draining", "Unknown");
  }

  @Test
  void aHealthANewerProxyReportsReadsAsUnknownRatherThanFailingTheStatus() throws Exception {
    String json =
        "{\"name\":\"s1\",\"address\":\"10.10.10.50\",\"port\":6443,\"health\":\"Maintenance\","
            + "\"activeConnections\":0,\"totalConnections\":0}";

    assertThat(WireJson.MAPPER.readValue(json, BackendStatus.class).health())
        .isEqualTo(BackendHealth.UNKNOWN);
  }
}
