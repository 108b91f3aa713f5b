package dev.fulcrum.operator.push;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.proxy.api.ApplyResponse;
import dev.fulcrum.proxy.api.ErrorResponse;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.api.LoadBalancerStatus;
import dev.fulcrum.proxy.api.ProxyStatus;
import dev.fulcrum.proxy.api.WireJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Talks to one proxy's admin API over TLS with the bearer token: GET state, PUT config, DELETE. */
public final class ProxyClient {
  private static final Logger log = LoggerFactory.getLogger(ProxyClient.class);
  // Answers may grow fields; the operator reads what it knows.
  private static final ObjectMapper READER =
      WireJson.MAPPER.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final TrustedClients clients;
  private final Duration requestTimeout;

  public ProxyClient(Duration connectTimeout, Duration requestTimeout) {
    this.clients = new TrustedClients(connectTimeout);
    this.requestTimeout = requestTimeout;
  }

  /** Asks the proxy what it serves under {@code id} and whether it holds the VIP; never fails. */
  public CompletableFuture<Observation> observe(ProxyTarget p, String id, ProxyCredentials creds) {
    // The status first, then the load balancer: the status names the change-stream revision, and
    // what the second GET shows is at least that new, so a stream line for that revision needs no
    // second look (asked at once, the load balancer's answer could predate the revision).
    CompletableFuture<HttpResponse<byte[]>> st = send(p, "GET", "/v1/status", null, creds);
    return st.thenCompose(
            s ->
                send(p, "GET", "/v1/loadbalancers/" + id, null, creds)
                    .thenApply(l -> java.util.Map.entry(l, s)))
        .thenApply(
            pair -> {
              HttpResponse<byte[]> l = pair.getKey();
              HttpResponse<byte[]> s = pair.getValue();
              if (l.statusCode() != 200 && l.statusCode() != 404) {
                return unreachable(p, "GET " + id + " " + describe(l));
              }
              if (s.statusCode() != 200) {
                return unreachable(p, "GET status " + describe(s));
              }
              LoadBalancerStatus status =
                  l.statusCode() == 404 ? null : read(l.body(), LoadBalancerStatus.class);
              ProxyStatus proxy = read(s.body(), ProxyStatus.class);
              return new Observation(
                  p.name(),
                  p.endpoint(),
                  status,
                  proxy.vipHeld(),
                  null,
                  proxy.name(),
                  proxy.revision(),
                  proxy.keepalivedProblem());
            })
        .exceptionally(e -> unreachable(p, cause(e)));
  }

  /** PUTs the full config; the result says what the proxy applied or why it refused. */
  public CompletableFuture<PushResult> push(
      ProxyTarget p, String id, LoadBalancerConfig config, ProxyCredentials creds) {
    return send(p, "PUT", "/v1/loadbalancers/" + id, WireJson.write(config), creds)
        .thenApply(
            r -> {
              if (r.statusCode() == 200) {
                return new PushResult(
                    p.name(), 200, read(r.body(), ApplyResponse.class).appliedVersion(), null);
              }
              ErrorResponse err = errorBody(r);
              String detail = err == null || err.error() == null ? "" : " (" + err.error() + ")";
              return new PushResult(
                  p.name(),
                  r.statusCode(),
                  err == null ? null : err.appliedVersion(),
                  failure("push to", p, describe(r) + detail),
                  err == null || err.epoch() == null ? 0L : err.epoch());
            })
        .exceptionally(e -> new PushResult(p.name(), 0, null, failure("push to", p, cause(e))));
  }

  /** An open {@link #watch}; cancelling it ends the stream and reports {@code why} as its end. */
  public interface Watching {
    void cancel(String why);
  }

  /**
   * Opens {@code GET /v1/watch}: {@code revisions} gets each line's revision (one at once, one per
   * change, one a second as a heartbeat) and {@code ended} is told once when the stream ends: null
   * for a planned end, else why it failed in plain words. Never fails itself.
   */
  public Watching watch(
      ProxyTarget p, ProxyCredentials creds, Consumer<String> revisions, Consumer<String> ended) {
    AtomicBoolean done = new AtomicBoolean();
    Consumer<String> end =
        why -> {
          if (done.compareAndSet(false, true)) {
            ended.accept(why);
          }
        };
    AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
    Flow.Subscriber<String> lines =
        new Flow.Subscriber<>() {
          @Override
          public void onSubscribe(Flow.Subscription s) {
            subscription.set(s);
            s.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(String line) {
            String revision = revisionOf(line);
            if (revision != null && !done.get()) {
              revisions.accept(revision);
            }
          }

          @Override
          public void onError(Throwable e) {
            end.accept(failure("watch of", p, cause(e)));
          }

          @Override
          public void onComplete() {
            end.accept(null);
          }
        };
    CompletableFuture<HttpResponse<Void>> call;
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(stripSlash(p.endpoint()) + "/v1/watch"))
              .header("Authorization", "Bearer " + creds.token())
              .header("Accept", "application/x-ndjson")
              .GET()
              .build(); // no request timeout: the caller's heartbeat watchdog ends a silent stream
      call =
          clients
              .forCredentials(creds)
              .sendAsync(
                  request,
                  info ->
                      info.statusCode() == 200
                          ? HttpResponse.BodySubscribers.fromLineSubscriber(lines)
                          : HttpResponse.BodySubscribers.replacing(null));
    } catch (RuntimeException e) {
      end.accept(failure("watch of", p, cause(e)));
      return why -> {};
    }
    call.whenComplete(
        (r, e) -> {
          if (e != null) {
            end.accept(failure("watch of", p, cause(e)));
          } else if (r.statusCode() != 200) {
            end.accept(failure("watch of", p, describe(r.statusCode())));
          }
        });
    return why -> {
      end.accept(failure("watch of", p, why));
      Flow.Subscription s = subscription.get();
      if (s != null) {
        s.cancel();
      }
      call.cancel(true);
    };
  }

  private static String revisionOf(String line) {
    try {
      String r = READER.readTree(line).path("revision").asText(null);
      return r == null || r.isEmpty() ? null : r;
    } catch (IOException e) {
      return null; // not a line of this protocol; the heartbeat watchdog judges the stream
    }
  }

  /** Removes the frontend; a proxy that never had it counts as done. */
  public CompletableFuture<String> delete(ProxyTarget p, String id, ProxyCredentials creds) {
    return send(p, "DELETE", "/v1/loadbalancers/" + id, null, creds)
        .thenApply(
            r ->
                r.statusCode() / 100 == 2 || r.statusCode() == 404
                    ? null
                    : failure("delete on", p, describe(r)))
        .exceptionally(e -> failure("delete on", p, cause(e)));
  }

  private CompletableFuture<HttpResponse<byte[]>> send(
      ProxyTarget p, String method, String path, byte[] body, ProxyCredentials creds) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(stripSlash(p.endpoint()) + path))
              .timeout(requestTimeout)
              .header("Authorization", "Bearer " + creds.token())
              .header("Accept", "application/json");
      if (body != null) {
        b.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
      } else {
        b.method(method, HttpRequest.BodyPublishers.noBody());
      }
      return clients
          .forCredentials(creds)
          .sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static Observation unreachable(ProxyTarget p, String why) {
    String message = failure("query of", p, why);
    log.debug(message);
    return new Observation(p.name(), p.endpoint(), null, null, message);
  }

  /** "push to lb-1 (https://10.10.10.98:9443) failed: 401 Unauthorized"; never the token. */
  static String failure(String what, ProxyTarget p, String why) {
    return what + " " + p.name() + " (" + p.endpoint() + ") failed: " + why;
  }

  private static String describe(HttpResponse<byte[]> r) {
    return describe(r.statusCode());
  }

  private static String describe(int status) {
    return switch (status) {
      case 400 -> "400 Bad Request";
      case 401 -> "401 Unauthorized";
      case 404 -> "404 Not Found";
      case 409 -> "409 Conflict";
      case 413 -> "413 Payload Too Large";
      case 422 -> "422 Unprocessable Entity";
      default -> String.valueOf(status);
    };
  }

  private static ErrorResponse errorBody(HttpResponse<byte[]> r) {
    try {
      return READER.readValue(r.body(), ErrorResponse.class);
    } catch (IOException e) {
      return null;
    }
  }

  private static <T> T read(byte[] body, Class<T> type) {
    try {
      return READER.readValue(body, type);
    } catch (IOException e) {
      throw new CompletionException(
          new IOException("unreadable " + type.getSimpleName() + ": " + e.getMessage(), e));
    }
  }

  private static String cause(Throwable e) {
    return FailureCause.of(e);
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
