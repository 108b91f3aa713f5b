package dev.fulcrum.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The chart's alert rules pass {@code promtool check rules}, and each alert fires on the failure it
 * names and stays quiet otherwise ({@code promtool test rules}, files/fulcrum-alerts.test.yaml).
 */
class AlertRulesTest {
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

  @Test
  void promtoolAcceptsTheRules() throws Exception {
    assertThat(promtool("check", "rules", "fulcrum-alerts.yaml"))
        .contains("SUCCESS: 9 rules found");
  }

  @Test
  void everyAlertFiresOnItsFailureAndNotBefore() throws Exception {
    assertThat(promtool("test", "rules", "fulcrum-alerts.test.yaml")).contains("SUCCESS");
  }

  private static String promtool(String... args) throws Exception {
    assumeTrue(
        Files.isExecutable(PROMTOOL),
        "promtool is not installed (Debian: apt-get install prometheus; .ci/run does)");
    String[] cmd = new String[args.length + 1];
    cmd[0] = PROMTOOL.toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    Process p =
        new ProcessBuilder(cmd)
            .directory(RenderedChart.chartDir().resolve("files").toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }
}
