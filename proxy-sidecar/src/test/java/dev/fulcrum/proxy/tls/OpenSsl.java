package dev.fulcrum.proxy.tls;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the openssl command line, so tests can check Pki against an independent implementation. */
final class OpenSsl {
  private static final boolean INSTALLED = installed();

  private OpenSsl() {}

  /** Exit status and combined stdout/stderr. */
  record Result(int exit, String output) {}

  static void assumeInstalled() {
    assumeTrue(INSTALLED, "openssl is not installed: skipping the OpenSSL cross-check");
  }

  static Result run(Path workDir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.waitFor(), output);
  }

  private static boolean installed() {
    try {
      return run(Path.of("."), "version").exit() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
