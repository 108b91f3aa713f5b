package dev.fulcrum.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.config.ProxyConfig;
import dev.fulcrum.proxy.config.ProxyConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lb-host kit fits together: proxy.yaml examples, the systemd unit, the credentials script. */
class LbHostFilesTest {
  static final Path ROOT = CredentialsKit.repoRoot();
  static final Path UNIT = ROOT.resolve("deploy/systemd/fulcrum-proxy.service");

  @Test
  void proxyYamlLoadsAndPointsAtTheFilesTheKitInstalls() throws Exception {
    ProxyConfig config = ProxyConfigLoader.load(ROOT.resolve("deploy/proxy.yaml"));
    String unit = Files.readString(UNIT);

    assertThat(config.name()).isEqualTo("lb-1");
    // make-credentials.sh writes admin.crt, admin.key and token per host.
    assertThat(
            List.of(
                config.admin().certFile(), config.admin().keyFile(), config.admin().tokenFile()))
        .containsExactly("/etc/fulcrum/admin.crt", "/etc/fulcrum/admin.key", "/etc/fulcrum/token");
    assertThat(config.telemetry().listen()).endsWith(":9090");
    assertThat(unit).contains("StateDirectory=fulcrum\n");
    assertThat(config.stateDir()).isEqualTo("/var/lib/fulcrum");
    assertThat(unit).containsPattern("ExecStart=.* --config /etc/fulcrum/proxy.yaml\n");
    // One set of JVM flags: the unit, the image and bench/run.sh read deploy/jvm/.
    assertThat(unit).contains("ExecStart=/usr/bin/java @/opt/fulcrum/fulcrum-proxy.options -jar ");
    assertThat(Files.readString(ROOT.resolve("deploy/LB-HOSTS.md")))
        .contains("deploy/jvm/fulcrum-proxy.options /opt/fulcrum/");
    assertThat(Files.readString(ROOT.resolve("bench/run.sh")))
        .contains("deploy/jvm/fulcrum-proxy.options");
    assertThat(config.staticLoadBalancers()).isEmpty();
  }

  /**
   * The VIP hand-off fits together: the proxy writes its instances inside its own state directory,
   * the path unit watches that file, and the root unit renders from it with a class the jar has.
   */
  @Test
  void theProxysInstancesFileIsWhatRootsKeepalivedUnitsWatchAndRead() throws Exception {
    ProxyConfig config = ProxyConfigLoader.load(ROOT.resolve("deploy/proxy.yaml"));
    String instances = config.keepalived().instancesFile();
    String path = Files.readString(ROOT.resolve("deploy/systemd/fulcrum-keepalived.path"));
    String render = Files.readString(ROOT.resolve("deploy/systemd/fulcrum-keepalived.service"));

    assertThat(instances).startsWith(config.stateDir() + "/");
    assertThat(path).contains("PathChanged=" + instances + "\n");
    assertThat(render)
        .containsPattern(
            "ExecStart=/usr/bin/java .*-cp /opt/fulcrum/fulcrum-proxy.jar"
                + " dev.fulcrum.proxy.vip.KeepalivedRender --instances "
                + java.util.regex.Pattern.quote(instances)
                + " --config /etc/keepalived/keepalived.conf ")
        .contains("ReadWritePaths=/etc/keepalived\n");
    assertThat(
            Class.forName("dev.fulcrum.proxy.vip.KeepalivedRender")
                .getMethod("main", String[].class))
        .isNotNull();
    assertThat(Files.readString(ROOT.resolve("deploy/LB-HOSTS.md")))
        .contains(
            "deploy/systemd/fulcrum-keepalived.service deploy/systemd/fulcrum-keepalived.path")
        .contains("systemctl enable --now fulcrum-keepalived.path");
  }

  @Test
  void theCommentedOutLoadBalancersInProxyYamlLoadOnceUncommented(@TempDir Path tmp)
      throws Exception {
    String uncommented =
        Files.readString(ROOT.resolve("deploy/proxy.yaml"))
            .replaceAll("(?m)^# (loadBalancers:|  )", "$1");
    Path file = Files.writeString(tmp.resolve("proxy.yaml"), uncommented);

    ProxyConfig config = ProxyConfigLoader.load(file);

    assertThat(config.staticLoadBalancers())
        .singleElement()
        .satisfies(lb -> assertThat(lb.backends()).hasSize(3));
  }

  @Test
  void standaloneProxyYamlServesTheSameServersAsTheK3sHaExample() throws Exception {
    ProxyConfig config =
        ProxyConfigLoader.load(ROOT.resolve("deploy/examples/proxy-standalone.yaml"));
    JsonNode example =
        new YAMLMapper().readTree(ROOT.resolve("deploy/examples/k3s-ha.yaml").toFile());

    ProxyConfig.StaticLoadBalancer lb = config.staticLoadBalancers().get(0);
    assertThat(config.staticLoadBalancers()).hasSize(1);
    List<String> staticEndpoints = new ArrayList<>();
    example.at("/spec/backends/static").forEach(e -> staticEndpoints.add(e.asText()));
    assertThat(lb.backends().stream().map(BackendConfig::endpoint))
        .containsExactlyElementsOf(staticEndpoints);
    assertThat(lb.frontend().port()).isEqualTo(example.at("/spec/frontend/port").asInt());
    assertThat(lb.frontend().virtualIP())
        .isEqualTo(example.at("/spec/frontend/virtualIP").asText());
    assertThat(lb.frontend().virtualRouterId())
        .isEqualTo(example.at("/spec/frontend/virtualRouterId").asInt());
    assertThat(lb.healthCheck().intervalSeconds()).isEqualTo(10);
    assertThat(lb.healthCheck().downIntervalSeconds()).isEqualTo(5);
    assertThat(lb.healthCheck().rise()).isEqualTo(2);
    assertThat(lb.healthCheck().fall()).isEqualTo(3);
  }

  @Test
  void systemdUnitVerifiesAndItsExposureStaysLow(@TempDir Path tmp) throws Exception {
    assumeThat(onPath("systemd-analyze")).as("systemd-analyze is not installed").isTrue();
    Path unit = Files.copy(UNIT, tmp.resolve("fulcrum-proxy.service"));

    Result verify = run("systemd-analyze", "verify", unit.toString());
    assertThat(verify.output()).as("systemd-analyze verify").isBlank();
    assertThat(verify.exit()).isZero();

    // A change that loosens the sandbox (more capabilities, writable /usr, ...) raises the score.
    Result security = run("systemd-analyze", "security", "--offline=yes", unit.toString());
    Matcher m =
        Pattern.compile("Overall exposure level for \\S+: ([0-9.]+)").matcher(security.output());
    assertThat(m.find()).as(security.output()).isTrue();
    assertThat(Double.parseDouble(m.group(1)))
        .as("exposure (0 = fully locked down, 10 = none)")
        .isLessThanOrEqualTo(2.0);
    assertThat(security.output()).containsPattern("✓ CapabilityBoundingSet=~CAP_SYS_ADMIN");
  }

  /** Exit status and combined output of a command. */
  record Result(int exit, String output) {}

  private static Result run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish in 60 s");
    }
    return new Result(
        p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
