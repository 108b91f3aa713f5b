package dev.fulcrum.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs kubectl against the test's API server and namespace, as a user would. */
public final class Kubectl {
  private final String kubeconfig;
  private final String namespace;

  Kubectl(String kubeconfig, String namespace) {
    this.kubeconfig = kubeconfig;
    this.namespace = namespace;
  }

  /** A finished kubectl: its exit code, and stdout and stderr together. */
  public record Result(int exit, String out) {}

  /** Runs to completion (at most 60 s) and returns stdout and stderr; it must exit 0. */
  public String run(String... args) throws Exception {
    Result r = attempt(args);
    assertThat(r.exit()).as(r.out()).isZero();
    return r.out();
  }

  /** Runs to completion (at most 60 s), whatever the exit code. */
  public Result attempt(String... args) throws Exception {
    Process p = start(args);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("kubectl %s ended", List.of(args)).isTrue();
    return new Result(p.exitValue(), out);
  }

  /** Starts a long-running command (e.g. {@code get -w}) whose lines are collected as they come. */
  public Streaming stream(String... args) {
    return new Streaming(start(args));
  }

  private Process start(String... args) {
    List<String> command =
        new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig, "-n", namespace));
    command.addAll(List.of(args));
    try {
      return new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      Assumptions.abort("kubectl is not installed: " + e.getMessage());
      throw new UncheckedIOException(e);
    }
  }

  /** A running kubectl and the lines it printed so far; closing it kills the process. */
  public static final class Streaming implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    Streaming(Process process) {
      this.process = process;
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                  }
                } catch (IOException e) {
                  lines.add("(reading kubectl failed: " + e + ")");
                }
              },
              "kubectl-reader");
      reader.setDaemon(true);
      reader.start();
    }

    public List<String> lines() {
      return List.copyOf(lines);
    }

    public boolean alive() {
      return process.isAlive();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }
}
