package dev.fulcrum.operator.testing;

import dev.fulcrum.proxy.ProxyEngine;
import dev.fulcrum.proxy.ProxyMetrics;
import dev.fulcrum.proxy.admin.Pki;
import dev.fulcrum.proxy.api.BackendStatus;
import dev.fulcrum.proxy.api.LoadBalancerStatus;
import dev.fulcrum.proxy.net.Transport;
import dev.fulcrum.proxy.store.StateStore;
import java.nio.file.Path;
import java.util.List;

/**
 * A real proxy in-process: the proxy's {@link ProxyEngine} (data plane, health checks, fencing)
 * binding its frontends on its own 127.0.0.x, behind an HTTPS admin endpoint.
 */
public final class RealProxy implements AutoCloseable {
  private final String host;
  private final Transport transport = new Transport(1, false);
  private final ProxyEngine engine;
  private final FakeAdminApi admin;

  public RealProxy(String name, String host, Pki.Issued ca, String token, Path stateDir)
      throws Exception {
    this.host = host;
    engine = new ProxyEngine(name, host, transport, new StateStore(stateDir), new ProxyMetrics());
    admin = new FakeAdminApi(name, host, ca, token, new EngineState(engine));
  }

  public String endpoint() {
    return admin.endpoint();
  }

  public String host() {
    return host;
  }

  /** PUTs received by the admin endpoint. */
  public int puts() {
    return admin.puts();
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
            .filter(b -> !"Draining".equals(b.health()))
            .map(BackendStatus::name)
            .sorted()
            .toList();
  }

  public long highestEpoch() {
    return engine.highestEpoch();
  }

  /** The admin endpoint stops answering; the data plane keeps serving, as on a real lb host. */
  public void stopAdmin() {
    admin.stop();
  }

  public void startAdmin() throws Exception {
    admin.start();
  }

  @Override
  public void close() {
    admin.close();
    engine.close();
    transport.close();
  }
}
