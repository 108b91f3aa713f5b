package dev.fulcrum.operator.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.operator.testing.RealApiServer;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.proxy.testing.ImageArchive;
import dev.fulcrum.proxy.testing.Ports;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator image the build wrote (target/fulcrum-operator-VERSION-image.tar) runs as uid 65532
 * on a read-only root against a real API server: it takes the leader Lease and answers its probes.
 */
class OperatorImageIT {
  @TempDir Path dir;

  @Test
  void theImageLeadsAndAnswersItsProbesAgainstARealApiServer() throws Exception {
    try (RealApiServer api = RealApiServer.connect("image")) {
      Resources.registerCrd(api.client());
      ImageArchive image =
          ImageArchive.unpack(ImageArchive.archive(Path.of("target")), dir.resolve("image"));
      // The chart's default image (repository:appVersion) is exactly what the build wrote.
      assertThat(image.tags())
          .containsExactly(
              "ghcr.io/fulcrum-dev/fulcrum-operator:"
                  + System.getProperty("fulcrum.project.version"));
      assertThat(image.user()).isEqualTo("65532:65532");

      Path kube = Files.createDirectories(dir.resolve("kube"));
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.copy(Path.of(System.getenv(RealApiServer.ENV)), kube.resolve("kubeconfig"));
      Files.setPosixFilePermissions(
          kube.resolve("kubeconfig"), PosixFilePermissions.fromString("rw-r--r--"));
      int metrics = Ports.free("127.0.0.1");
      Path log = dir.resolve("operator.log");
      Process operator =
          image.start(
              Map.of("/etc/fulcrum-kube", kube),
              Map.of(
                  "KUBECONFIG", "/etc/fulcrum-kube/kubeconfig",
                  "FULCRUM_METRICS_PORT", Integer.toString(metrics),
                  "FULCRUM_LEASE_NAMESPACE", api.namespace()),
              log);
      try {
        String base = "http://127.0.0.1:" + metrics;
        try {
          await()
              .atMost(Duration.ofSeconds(90))
              .failFast("the image's process exited", () -> !operator.isAlive())
              .ignoreExceptionsInstanceOf(IOException.class)
              .untilAsserted(
                  () -> {
                    assertThat(status(base + "/healthz")).isEqualTo(200);
                    assertThat(status(base + "/readyz")).isEqualTo(200);
                    assertThat(
                            api.client()
                                .leases()
                                .inNamespace(api.namespace())
                                .withName("fulcrum-operator")
                                .get())
                        .isNotNull();
                  });
        } catch (Throwable e) {
          throw new AssertionError(
              "the operator image did not come up:\n" + Files.readString(log), e);
        }
        assertThat(ImageArchive.uidOfChild(operator)).isEqualTo("65532");
        // What `helm test` runs, from the same image: the CRD is served and the operator ready.
        Path checkLog = dir.resolve("check.log");
        Process check =
            image.start(
                Map.of("/etc/fulcrum-kube", kube),
                Map.of("KUBECONFIG", "/etc/fulcrum-kube/kubeconfig"),
                checkLog,
                List.of(
                    "/opt/java/bin/java",
                    "-cp",
                    "@/app/jib-classpath-file",
                    "dev.fulcrum.operator.InstallCheck",
                    base + "/readyz"));
        assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as(Files.readString(checkLog)).isZero();
        assertThat(Files.readString(checkLog)).contains("fulcrum install check passed");
      } finally {
        ImageArchive.stop(operator);
      }
    }
  }

  private static int status(String url) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
    try {
      return c.getResponseCode();
    } finally {
      c.disconnect();
    }
  }
}
