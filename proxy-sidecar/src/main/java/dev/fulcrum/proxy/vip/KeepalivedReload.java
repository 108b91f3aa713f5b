package dev.fulcrum.proxy.vip;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tells keepalived to re-read its config: SIGHUP to the pid in its pid file, or a command. */
final class KeepalivedReload {
  private static final Logger log = LoggerFactory.getLogger(KeepalivedReload.class);

  private final Path pidFile;
  private final String command;

  KeepalivedReload(String pidFile, String command) {
    this.pidFile = pidFile == null ? null : Path.of(pidFile);
    this.command = command;
  }

  void reload() {
    try {
      if (command != null) {
        run(new ProcessBuilder("/bin/sh", "-c", command), "reloadCommand \"" + command + "\"");
      } else if (pidFile != null) {
        String pid = Files.readString(pidFile).trim();
        if (!pid.matches("[0-9]+")) {
          log.warn("keepalived pid file {} holds \"{}\", not a pid; not reloaded", pidFile, pid);
          return;
        }
        run(
            new ProcessBuilder("kill", "-HUP", pid),
            "kill -HUP " + pid + " (from " + pidFile + ")");
      }
    } catch (NoSuchFileException e) {
      log.info(
          "keepalived is not running (no {}); it reads the new config when it starts", pidFile);
    } catch (IOException e) {
      log.warn("keepalived not reloaded: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void run(ProcessBuilder pb, String what) throws IOException, InterruptedException {
    Process p = pb.redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      log.warn("keepalived reload: {} did not finish within 30 s", what);
      return;
    }
    String output = new String(p.getInputStream().readAllBytes()).trim();
    if (p.exitValue() != 0) {
      log.warn("keepalived reload: {} exited {}: {}", what, p.exitValue(), output);
    } else {
      log.info("keepalived reloaded: {}", what);
    }
  }
}
