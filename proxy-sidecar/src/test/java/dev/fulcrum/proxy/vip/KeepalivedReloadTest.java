package dev.fulcrum.proxy.vip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pid-file reload against a real process that records each SIGHUP it receives. */
class KeepalivedReloadTest {
  @TempDir Path dir;
  private Process daemon;

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.destroyForcibly();
    }
  }

  @Test
  void sighupGoesToThePidInThePidFile() throws Exception {
    // Perl (Debian's perl-base is always there), not a shell trap: a shell cannot trap a signal
    // that was ignored when it started, as SIGHUP is under nohup.
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "no perl for the stand-in daemon");
    Path hups = dir.resolve("hups");
    Path ready = dir.resolve("ready");
    daemon =
        new ProcessBuilder(
                "/usr/bin/perl",
                "-e",
                "$SIG{HUP} = sub { open(my $f, '>>', $ARGV[0]); print $f \"hup\\n\"; close $f };"
                    + " open(my $r, '>', $ARGV[1]); close $r; while (1) { sleep 1 }",
                hups.toString(),
                ready.toString())
            .start();
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(ready));
    Path pidFile = dir.resolve("keepalived.pid");
    Files.writeString(pidFile, daemon.pid() + "\n");

    new KeepalivedReload(pidFile.toString(), null).reload();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> Files.exists(hups) && Files.readAllLines(hups).equals(java.util.List.of("hup")));
    assertThat(daemon.isAlive()).as("SIGHUP reloads, it does not stop keepalived").isTrue();
  }
}
