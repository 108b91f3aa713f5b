package dev.fulcrum.proxy.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code StatusProbe <adminUrl> <tokenFile> <adminCertPem>}: prints a proxy's {@code /v1/status}
 * body; run inside a network namespace that the test JVM itself cannot enter.
 */
public final class StatusProbe {
  private StatusProbe() {}

  public static void main(String[] args) throws Exception {
    HttpClient client =
        TlsClients.http(TlsClients.context(TlsClients.certificate(Path.of(args[2])), null));
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create(args[0] + "/v1/status"))
                .header("Authorization", "Bearer " + Files.readString(Path.of(args[1])).trim())
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      System.err.println("HTTP " + r.statusCode() + ": " + r.body());
      System.exit(1);
    }
    System.out.println(r.body());
  }
}
