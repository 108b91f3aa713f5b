package dev.fulcrum.operator.testing;

import dev.fulcrum.proxy.admin.AdminServer;
import dev.fulcrum.proxy.admin.AdminSettings;
import dev.fulcrum.proxy.api.BackendStatus;
import dev.fulcrum.proxy.api.LoadBalancerStatus;
import dev.fulcrum.proxy.engine.ProxyEngine;
import dev.fulcrum.proxy.metrics.ProxyMetrics;
import dev.fulcrum.proxy.net.Transport;
import dev.fulcrum.proxy.store.StateStore;
import dev.fulcrum.proxy.telemetry.TelemetryServer;
import dev.fulcrum.proxy.testing.Ports;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real proxy in-process: {@link ProxyEngine} (data plane, health checks, fencing, state file)
 * behind the proxy's own {@link AdminServer}, both on one 127.0.0.x address, as on an lb host.
 */
public final class RealProxy implements AutoCloseable {
  private final String host;
  private final Path dir;
  private final Transport transport = new Transport(1, Transport.Kind.NIO);
  private final ProxyEngine engine;
  private final ProxyMetrics metrics = new ProxyMetrics();
  private TelemetryServer telemetry;
  private volatile boolean vipHeld;
  private AdminSettings settings;
  private AdminServer admin;

  /** Starts a proxy whose admin certificate is issued by {@code ca} for {@code host}. */
  public RealProxy(String name, String host, Pki.Issued ca, String token, Path dir)
      throws Exception {
    this(name, host, ca, token, dir, null);
  }

  /**
   * As above; with {@code clientCa}, the admin API also requires a client certificate it signed.
   */
  public RealProxy(
      String name, String host, Pki.Issued ca, String token, Path dir, Pki.Issued clientCa)
      throws Exception {
    this.host = host;
    this.dir = Files.createDirectories(dir);
    Pki.Issued cert = TestPki.issue(ca, name, List.of(host));
    Path certFile = Files.writeString(dir.resolve("admin.crt"), cert.certificatePem());
    Path keyFile = Files.writeString(dir.resolve("admin.key"), cert.keyPem());
    Path tokenFile = Files.writeString(dir.resolve("token"), token + "\n");
    engine = new ProxyEngine(name, host, transport, new StateStore(dir.resolve("state")), metrics);
    Path clientCaFile =
        clientCa == null
            ? null
            : Files.writeString(dir.resolve("client-ca.crt"), clientCa.certificatePem());
    // a port outside the ephemeral range, so startAdmin() after stopAdmin() can have it again
    settings =
        new AdminSettings(host, Ports.free(host), certFile, keyFile, clientCaFile, tokenFile);
    startAdmin();
  }

  /** Starts the telemetry port (/metrics, /readyz) on a free port of the proxy's host. */
  public InetSocketAddress startTelemetry() throws IOException {
    telemetry =
        new TelemetryServer(new InetSocketAddress(host, Ports.free(host)), engine, metrics).start();
    return telemetry.localAddress();
  }

  public String endpoint() {
    return "https://" + host + ":" + settings.port();
  }

  public String host() {
    return host;
  }

  public void vipHeld(boolean value) {
    vipHeld = value;
  }

  public LoadBalancerStatus status(String id) {
    return engine.status(id).orElse(null);
  }

  /** The backends this proxy serves (draining ones aside), by name. */
  public List<String> served(String id) {
    LoadBalancerStatus s = status(id);
    return s == null
        ? List.of()
        : s.backends().stream()
            .filter(b -> b.health() != dev.fulcrum.proxy.api.BackendHealth.DRAINING)
            .map(BackendStatus::name)
            .sorted()
            .toList();
  }

  /** PUTs the admin API answered, accepted or not (fulcrum_admin_requests_total). */
  public long puts() {
    return dev.fulcrum.proxy.testing.AdminRequests.count(engine.metrics(), "PUT");
  }

  /** Admin API requests answered with this method, accepted or not. */
  public long adminRequests(String method) {
    return dev.fulcrum.proxy.testing.AdminRequests.count(engine.metrics(), method);
  }

  /** The lowest epoch this proxy accepts for {@code id}. */
  public long fence(String id) {
    return engine.fence(id);
  }

  /** The admin API stops answering; the data plane keeps serving, as on a real lb host. */
  public void stopAdmin() {
    admin.close();
    admin = null;
  }

  /** The admin API listens again, on the same port. */
  public void startAdmin() throws Exception {
    admin = new AdminServer(settings, dir, engine, () -> vipHeld).start();
    settings =
        new AdminSettings(
            host,
            admin.localAddress().getPort(),
            settings.certFile(),
            settings.keyFile(),
            settings.clientCaFile(),
            settings.tokenFile());
  }

  @Override
  public void close() {
    if (telemetry != null) {
      telemetry.close();
    }
    if (admin != null) {
      admin.close();
    }
    engine.close();
    transport.close();
  }
}
