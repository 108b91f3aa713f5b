package dev.fulcrum.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.proxy.api.Balance;
import dev.fulcrum.proxy.net.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProxyConfigLoaderTest {
  @TempDir Path dir;

  private static final String VALID =
      """
      name: lb-1
      admin:
        listen: 127.0.0.1:9443
        tokenFile: /etc/fulcrum/token
      telemetry:
        listen: 127.0.0.1:9090
      stateDir: /var/lib/fulcrum
      loadBalancers:
        - id: default.k3s-api
          frontend: {port: 6443}
          balance: RoundRobin
          backends:
            - {name: server-1, address: 10.10.10.50, port: 6443}
            - {name: server-2, address: 10.10.10.51, port: 6443}
      """;

  private Path write(String yaml) throws Exception {
    Path file = dir.resolve("proxy.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void readsTheSeedRecipeAsAStaticLoadBalancer() throws Exception {
    ProxyConfig config = ProxyConfigLoader.load(write(VALID));

    assertThat(config.name()).isEqualTo("lb-1");
    assertThat(config.staticLoadBalancers())
        .singleElement()
        .satisfies(
            lb -> {
              assertThat(lb.id()).isEqualTo("default.k3s-api");
              assertThat(lb.balance()).isEqualTo(Balance.ROUND_ROBIN);
              assertThat(lb.toConfig(0).backends()).hasSize(2);
            });
  }

  @Test
  void aFieldOutOfRangeNamesFileLineAndField() throws Exception {
    Path file =
        write(
            VALID.replace(
                "- {name: server-2, address: 10.10.10.51, port: 6443}",
                "- {name: server-2, address: 10.10.10.51, port: 70000}"));

    assertThatThrownBy(() -> ProxyConfigLoader.load(file))
        .hasMessage(
            file
                + ":14: loadBalancers[0].backends[1].port: must be between 1 and 65535 (got 70000)");
  }

  @Test
  void anUnknownBalanceNamesTheLineAndTheAcceptedValues() throws Exception {
    Path file = write(VALID.replace("balance: RoundRobin", "balance: Fastest"));

    assertThatThrownBy(() -> ProxyConfigLoader.load(file))
        .hasMessageStartingWith(file + ":11: loadBalancers[0].balance: unknown value \"Fastest\"")
        .hasMessageContaining("RoundRobin, LeastConnections, Random, SourceHash");
  }

  @Test
  void anUnknownTransportNamesTheLineAndTheAcceptedValues() throws Exception {
    Path file = write(VALID.replace("stateDir:", "transport: kqueue\nstateDir:"));

    assertThatThrownBy(() -> ProxyConfigLoader.load(file))
        .hasMessage(file + ":7: transport: must be io_uring, epoll or nio (got \"kqueue\")");
  }

  @Test
  void theTransportIsReadCaseInsensitively() throws Exception {
    ProxyConfig config =
        ProxyConfigLoader.load(write(VALID.replace("stateDir:", "transport: EPOLL\nstateDir:")));

    assertThat(Transport.Kind.parse(config.transport())).isEqualTo(Transport.Kind.EPOLL);
  }

  @Test
  void anUnknownFieldIsRefusedWithItsLine() throws Exception {
    Path file = write(VALID.replace("stateDir:", "stateDirectory:"));

    assertThatThrownBy(() -> ProxyConfigLoader.load(file))
        .hasMessageStartingWith(file + ":7: stateDirectory: unknown field");
  }

  @Test
  void theAdminApiNeverRunsWithoutAToken() throws Exception {
    Path file = write(VALID.replace("  tokenFile: /etc/fulcrum/token\n", ""));

    assertThatThrownBy(() -> ProxyConfigLoader.load(file))
        .hasMessageContaining(":3: admin.tokenFile: is required");
  }

  @Test
  void brokenYamlSaysWhere() throws Exception {
    Path file = write(VALID.replace("name: lb-1", "name: \"lb-1"));

    assertThatThrownBy(() -> ProxyConfigLoader.load(file))
        .hasMessageStartingWith(file + ":")
        .hasMessageContaining("not valid YAML");
  }

  @Test
  void aKeepalivedSectionIsReadWithItsDefaults() throws Exception {
    ProxyConfig config =
        ProxyConfigLoader.load(
            write(
                VALID
                    + """
                    keepalived:
                      instancesFile: /var/lib/fulcrum/vrrp-instances.json
                    """));

    assertThat(config.keepalived().instancesFile())
        .isEqualTo("/var/lib/fulcrum/vrrp-instances.json");
    assertThat(config.keepalived().readyzUrl()).isNull();
  }

  /** The proxy once wrote keepalived.conf itself; such a file says how to move on. */
  @Test
  void theFormerKeepalivedSettingsAreRefusedSayingWhatReplacesThem() throws Exception {
    Path file =
        write(
            VALID
                + """
                keepalived:
                  configPath: /etc/keepalived/keepalived.conf
                  pidFile: /run/keepalived.pid
                """);

    assertThatThrownBy(() -> ProxyConfigLoader.load(file))
        .hasMessageContaining(
            file
                + ":16: keepalived.configPath: no longer used: the proxy does not write"
                + " keepalived.conf or reload keepalived (root's keepalived must not load a file"
                + " the proxy's user can write); set keepalived.instancesFile and install"
                + " fulcrum-keepalived (deploy/LB-HOSTS.md)");
  }

  @Test
  void aReadyzUrlTheTrackScriptCannotAskIsRefused() throws Exception {
    Path file =
        write(
            VALID
                + """
                keepalived:
                  instancesFile: /var/lib/fulcrum/vrrp-instances.json
                  readyzUrl: https://127.0.0.1:9090/readyz
                """);

    assertThatThrownBy(() -> ProxyConfigLoader.load(file))
        .hasMessageStartingWith(file + ":17: keepalived.readyzUrl: must be http://host:port/path");
  }

  @Test
  void withoutTelemetryTheReadyzUrlIsRequired() throws Exception {
    Path file =
        write(
            VALID.replace("telemetry:\n  listen: 127.0.0.1:9090\n", "")
                + """
                keepalived:
                  instancesFile: /var/lib/fulcrum/vrrp-instances.json
                """);

    assertThatThrownBy(() -> ProxyConfigLoader.load(file))
        .hasMessage(
            file
                + ":14: keepalived.readyzUrl: is required when telemetry.listen is not set (the"
                + " track script asks /readyz)");
  }

  @Test
  void aRelativeInstancesFileIsRefused() throws Exception {
    Path file =
        write(
            VALID
                + """
                keepalived:
                  instancesFile: vrrp-instances.json
                """);

    assertThatThrownBy(() -> ProxyConfigLoader.load(file))
        .hasMessageStartingWith(
            file + ":16: keepalived.instancesFile: is required, an absolute path");
  }
}
