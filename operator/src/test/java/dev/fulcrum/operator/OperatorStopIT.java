package dev.fulcrum.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.operator.testing.RealApiServer;
import dev.fulcrum.operator.testing.Resources;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM to a real, leading operator process: it exits 0 at once and hands the Lease over. */
@EnabledIfEnvironmentVariable(
    named = RealApiServer.ENV,
    matches = ".*\\S.*",
    disabledReason = RealApiServer.SKIPPED)
class OperatorStopIT {
  static final String LEASE = "fulcrum-operator";

  @TempDir Path logs;
  RealApiServer api;
  final List<Process> started = new ArrayList<>();

  @BeforeEach
  void connect() {
    api = RealApiServer.connect("fulcrum-it-stop");
    Resources.registerCrd(api.client());
  }

  @AfterEach
  void cleanUp() {
    started.forEach(Process::destroyForcibly);
    api.close();
  }

  @Test
  void sigtermExitsZeroWithinFiveSecondsAndTheStandbyLeadsSoonAfter() throws Exception {
    Process a = operator("op-a");
    await().atMost(Duration.ofSeconds(60)).until(() -> holder().startsWith("op-a-"));
    Process b = operator("op-b");
    // b competes: it has read the Lease and seen a as the leader.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.readString(logs.resolve("op-b.log")).contains("leader is now op-a-"));

    a.destroy(); // SIGTERM
    assertThat(a.waitFor(5, TimeUnit.SECONDS))
        .as("operator exits within 5 s of SIGTERM; log:%n%s", log("op-a"))
        .isTrue();
    assertThat(a.exitValue()).as("exit status; log:%n%s", log("op-a")).isZero();
    assertThat(log("op-a")).contains("released the leader Lease");

    // The Lease term is 15 s; the released Lease is taken on b's next retry (2 s).
    await().atMost(Duration.ofSeconds(6)).until(() -> holder().startsWith("op-b-"));
    assertThat(b.isAlive()).isTrue();
  }

  private String holder() {
    Lease lease = api.client().leases().inNamespace(api.namespace()).withName(LEASE).get();
    return lease == null || lease.getSpec().getHolderIdentity() == null
        ? ""
        : lease.getSpec().getHolderIdentity();
  }

  private String log(String name) throws IOException {
    return Files.readString(logs.resolve(name + ".log"));
  }

  private Process operator(String host) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                OperatorMain.class.getName(),
                "--metrics-port=0",
                "--namespaces=" + api.namespace(),
                "--lease-namespace=" + api.namespace())
            .redirectErrorStream(true)
            .redirectOutput(logs.resolve(host + ".log").toFile());
    pb.environment().put("KUBECONFIG", System.getenv(RealApiServer.ENV));
    pb.environment().put("HOSTNAME", host);
    Process p = pb.start();
    started.add(p);
    return p;
  }
}
