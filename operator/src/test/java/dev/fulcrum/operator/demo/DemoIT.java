package dev.fulcrum.operator.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's demo, run in-process against the mock API server: its printed story, kubectl against
 * its kubeconfig, and a clean stop when told (what Ctrl-C does).
 */
class DemoIT {
  @TempDir Path dir;
  final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  final CountDownLatch ctrlC = new CountDownLatch(1);
  CompletableFuture<Void> demo;

  @AfterEach
  void stop() {
    ctrlC.countDown();
  }

  String output() {
    return printed.toString(StandardCharsets.UTF_8);
  }

  @Test
  void tellsReadyLeaveAndRejoinServesKubectlThenStopsCleanly() throws Exception {
    PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    demo =
        CompletableFuture.runAsync(
            () -> {
              try {
                // Patient about the first Ready: the build shares the machine with other tests.
                DemoMain.run(out, ctrlC, false, false, Duration.ofSeconds(60), dir);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    await()
        .atMost(Duration.ofSeconds(120))
        .until(() -> output().contains("scenario complete") || demo.isDone());
    assertThat(demo).isNotCompletedExceptionally();
    assertThat(output())
        .containsSubsequence(
            "status  Ready=True (Synced)  backends 3/3 healthy",
            "==> Ready=True, 3/3 healthy",
            "via 127.0.0.2:",
            "pong from server-1, server-2, server-3",
            "via 127.0.0.3:",
            "pong from server-1, server-2, server-3",
            "==> server-2 goes down",
            "backends 2/3 healthy [server-1:Up server-2:NodeNotReady server-3:Up]",
            "==> server-2 left",
            "via 127.0.0.2:",
            "pong from server-1, server-3",
            "via 127.0.0.3:",
            "pong from server-1, server-3",
            "==> server-2 comes back",
            "backends 3/3 healthy [server-1:Up server-2:Up server-3:Up]",
            "==> server-2 rejoined",
            "pong from server-1, server-2, server-3",
            "pong from server-1, server-2, server-3",
            "==> scenario complete",
            "press Ctrl-C to stop");

    Path kubeconfig = dir.resolve("kubeconfig");
    assertThat(kubectl(kubeconfig, "get", "elb", "-o", "name"))
        .isEqualTo("externalloadbalancer.lb.fulcrum.dev/k3s-api");
    assertThat(kubectl(kubeconfig, "get", "elb").lines())
        .hasSize(2)
        .first()
        .asString()
        .matches("NAME +AGE +BACKENDS +REASON +READY +PROXIES +ADDRESS");
    assertThat(kubectl(kubeconfig, "get", "elb").lines().skip(1).findFirst().orElseThrow())
        .matches("k3s-api +\\d+[sm] +3/3 +Synced +True +2/2 +https://127\\.0\\.0\\.2:\\d+");
    assertThat(kubectl(kubeconfig, "describe", "elb", "k3s-api"))
        .contains("Name:         k3s-api")
        .contains("Registration Address:  https://127.0.0.2:");

    ctrlC.countDown();
    demo.get(30, TimeUnit.SECONDS);
    assertThat(output()).endsWith("demo stopped cleanly" + System.lineSeparator());
  }

  /** Runs the real kubectl (v1.32 on our machines) against the demo's kubeconfig. */
  private static String kubectl(Path kubeconfig, String... args)
      throws IOException, InterruptedException {
    String[] command = new String[args.length + 3];
    command[0] = "kubectl";
    command[1] = "--kubeconfig";
    command[2] = kubeconfig.toString();
    System.arraycopy(args, 0, command, 3, args.length);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(text).isZero();
    return text;
  }
}
