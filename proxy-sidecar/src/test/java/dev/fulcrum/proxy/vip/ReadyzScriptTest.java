package dev.fulcrum.proxy.vip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The track script run for real with bash against a real HTTP listener on loopback. */
class ReadyzScriptTest {
  @TempDir Path dir;
  private final AtomicInteger status = new AtomicInteger(200);
  private final List<String> queries = new CopyOnWriteArrayList<>();
  private HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void exitsZeroOnlyWhileReadyzAnswers200() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "no /bin/bash to run the script");
    Path script = script(startServer());

    assertThat(run(script)).isZero();
    status.set(503);
    assertThat(run(script)).isNotZero();
  }

  @Test
  void withAVipItAsksForThatVipOnlyAndRefusesAnArgumentThatIsNotAnAddress() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "no /bin/bash to run the script");
    Path script = script(startServer());

    assertThat(run(script, "192.0.2.100")).isZero();
    assertThat(queries).containsExactly("vip=192.0.2.100");
    assertThat(run(script, "fd00::100")).isZero();
    assertThat(queries).last().isEqualTo("vip=fd00::100");
    assertThat(run(script, "192.0.2.100&x=1")).isNotZero();
    assertThat(queries).hasSize(2);
  }

  @Test
  void failsWhenNothingListens() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "no /bin/bash to run the script");
    int port = startServer();
    server.stop(0);
    server = null;

    assertThat(run(script(port))).isNotZero();
  }

  @Test
  void onlyPlainHttpUrlsWithAPortAreAccepted() {
    assertThatThrownBy(() -> ReadyzScript.render(URI.create("https://127.0.0.1:9100/readyz")))
        .hasMessageContaining("must be http://host:port/path");
    assertThatThrownBy(() -> ReadyzScript.render(URI.create("http://127.0.0.1/readyz")))
        .hasMessageContaining("must be http://host:port/path");
    assertThatThrownBy(() -> ReadyzScript.render(URI.create("http://127.0.0.1:9100/a'b")))
        .hasMessageContaining("cannot carry");
  }

  private int startServer() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/readyz",
        ex -> {
          String query = ex.getRequestURI().getRawQuery();
          if (query != null) {
            queries.add(query);
          }
          byte[] body = "ready\n".getBytes();
          ex.sendResponseHeaders(status.get(), body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.start();
    return server.getAddress().getPort();
  }

  private Path script(int port) throws Exception {
    Path script = dir.resolve("check.sh");
    Files.writeString(
        script, ReadyzScript.render(URI.create("http://127.0.0.1:" + port + "/readyz")));
    return script;
  }

  private static int run(Path script, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("/bin/bash", script.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }
}
