package dev.fulcrum.operator.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.fulcrum.proxy.api.ApplyResponse;
import dev.fulcrum.proxy.api.BackendHealth;
import dev.fulcrum.proxy.api.BackendStatus;
import dev.fulcrum.proxy.api.ErrorResponse;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.api.LoadBalancerStatus;
import dev.fulcrum.proxy.api.ProxyStatus;
import dev.fulcrum.proxy.api.WireJson;
import dev.fulcrum.proxy.testing.Ports;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The push protocol's admin API over real TLS, storing configs in memory: it tests the operator's
 * side of the protocol (tokens, versions, epochs, request counts) without a data plane.
 */
public final class FakeAdminApi implements AutoCloseable, AdminState {
  private final String name;
  private final AdminState state;
  private final SSLContext tls;
  private final Map<String, LoadBalancerConfig> applied = new ConcurrentHashMap<>();
  private final AtomicInteger puts = new AtomicInteger();
  private volatile String token;
  private final Map<String, Long> fences = new ConcurrentHashMap<>();
  private volatile List<String> tlsSans;
  private volatile Boolean vipHeld;
  private InetSocketAddress address;
  private HttpsServer server;
  private final java.util.concurrent.ExecutorService executor =
      java.util.concurrent.Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "fake-admin-api");
            t.setDaemon(true);
            return t;
          });
  private final java.util.Set<String> ids = ConcurrentHashMap.newKeySet();
  private volatile boolean serving;

  public FakeAdminApi(String name, String host, Pki.Issued ca, String token) throws Exception {
    this(name, host, ca, token, null);
  }

  /** The admin API in front of {@code state}, or of its own in-memory map when null. */
  public FakeAdminApi(String name, String host, Pki.Issued ca, String token, AdminState state)
      throws Exception {
    this.name = name;
    this.state = state == null ? this : state;
    this.token = token;
    Pki.Issued cert = TestPki.issue(ca, name, List.of(host));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("admin", cert.key(), new char[0], cert.chain().toArray(new X509Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    address = new InetSocketAddress(host, Ports.free(host)); // free again after stop()
    start();
  }

  public void start() throws IOException {
    server = HttpsServer.create(address, 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.createContext("/", this::handle);
    server.setExecutor(executor); // a watch holds its thread for as long as it streams
    serving = true;
    server.start();
    address = server.getAddress();
  }

  /** Stops answering; {@link #start()} comes back on the same port with the same state. */
  public void stop() {
    serving = false;
    server.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if (!("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
        reply(ex, new Reply(401, ErrorResponse.of("missing or wrong bearer token")));
        return;
      }
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      if (path.equals("/v1/watch")) {
        watch(ex);
        return;
      }
      if (path.equals("/v1/status")) {
        reply(ex, state.status());
        return;
      }
      String id = path.substring("/v1/loadbalancers/".length());
      ids.add(id);
      Reply r =
          switch (method) {
            case "PUT" -> {
              puts.incrementAndGet();
              byte[] body = ex.getRequestBody().readAllBytes();
              yield state.put(id, WireJson.read(body, LoadBalancerConfig.class));
            }
            case "GET" -> state.get(id);
            case "DELETE" -> state.delete(id);
            default -> new Reply(405, ErrorResponse.of(method));
          };
      reply(ex, r);
    }
  }

  /**
   * The change stream as the proxy sends it: a revision line at once, on every change of what GETs
   * would answer, and every second; it ends when the token changes or the server stops.
   */
  private void watch(HttpExchange ex) throws IOException {
    String presented = token;
    ex.getResponseHeaders().set("Content-Type", "application/x-ndjson");
    ex.sendResponseHeaders(200, 0);
    OutputStream out = ex.getResponseBody();
    String last = null;
    long beat = 0;
    Object tick = new Object();
    while (serving && presented.equals(token)) {
      String revision = revision();
      long now = System.nanoTime();
      if (!revision.equals(last) || now - beat >= 1_000_000_000L) {
        out.write(("{\"revision\":\"" + revision + "\"}\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        last = revision;
        beat = now;
      }
      synchronized (tick) {
        try {
          tick.wait(100); // the proxy looks a few times a second too
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private ProxyStatus baseStatus() {
    return new ProxyStatus(name, "boot", true, null, vipHeld, List.of());
  }

  /** Of what the GETs show; a delegated state's own status carries no revision to loop on. */
  private String revision() {
    Object status = state == this ? baseStatus() : state.status().body();
    StringBuilder all = new StringBuilder(new String(WireJson.write(status)));
    new java.util.TreeSet<>(ids)
        .forEach(id -> all.append(new String(WireJson.write(state.get(id).body()))));
    return Integer.toHexString(all.toString().hashCode());
  }

  @Override
  public Reply status() {
    return new Reply(200, baseStatus().withRevision(revision()));
  }

  @Override
  public Reply get(String id) {
    LoadBalancerConfig c = applied.get(id);
    if (c == null) {
      return new Reply(404, ErrorResponse.of("no load balancer " + id));
    }
    List<BackendStatus> backends =
        c.backends().stream()
            .map(
                b ->
                    new BackendStatus(
                        b.name(), b.address(), b.port(), BackendHealth.UP, 0, 0, null, tlsSans))
            .toList();
    return new Reply(
        200, new LoadBalancerStatus(id, c.version(), c.epoch(), true, null, null, 0, backends));
  }

  @Override
  public Reply delete(String id) {
    return new Reply(applied.remove(id) == null ? 404 : 200, Map.of());
  }

  @Override
  public Reply put(String id, LoadBalancerConfig body) {
    LoadBalancerConfig c = body.stamped(body.epoch());
    LoadBalancerConfig current = applied.get(id);
    long fence = fences.getOrDefault(id, 0L);
    if (c.epoch() < fence) {
      return new Reply(
          409,
          new ErrorResponse(
              "epoch " + c.epoch() + " is below the fence of " + id + " (" + fence + ")",
              current == null ? null : current.version(),
              fence));
    }
    fences.put(id, c.epoch());
    applied.put(id, c);
    return new Reply(200, new ApplyResponse(c.version(), c.epoch()));
  }

  private static void reply(HttpExchange ex, Reply r) throws IOException {
    byte[] bytes = WireJson.write(r.body());
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(r.status(), bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  public String endpoint() {
    return "https://" + address.getAddress().getHostAddress() + ":" + address.getPort();
  }

  public LoadBalancerConfig applied(String id) {
    return applied.get(id);
  }

  public int puts() {
    return puts.get();
  }

  public void token(String value) {
    token = value;
  }

  /** Fences {@code id} at {@code epoch}, as a push from a later leader would have. */
  public void fence(String id, long epoch) {
    fences.put(id, epoch);
  }

  public void tlsSans(List<String> value) {
    tlsSans = value;
  }

  public void vipHeld(Boolean value) {
    vipHeld = value;
  }

  @Override
  public void close() {
    stop();
    executor.shutdownNow();
  }
}
