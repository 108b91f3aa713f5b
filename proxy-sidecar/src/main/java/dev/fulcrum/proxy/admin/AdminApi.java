package dev.fulcrum.proxy.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fulcrum.proxy.ConflictException;
import dev.fulcrum.proxy.PersistenceException;
import dev.fulcrum.proxy.ProxyEngine;
import dev.fulcrum.proxy.api.ErrorResponse;
import dev.fulcrum.proxy.api.InvalidConfigException;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.api.MalformedJsonException;
import dev.fulcrum.proxy.api.WireJson;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push protocol of DESIGN.md, free of Netty: authenticates a request, calls the engine and maps
 * its outcome to a status and a JSON body. Blocking (file I/O, fsync): runs on the admin executor.
 */
final class AdminApi {
  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
  private static final String LB_PREFIX = "/v1/loadbalancers/";

  private final ProxyEngine engine;
  private final TokenFile token;
  private final Supplier<Boolean> vipHeld;

  AdminApi(ProxyEngine engine, TokenFile token, Supplier<Boolean> vipHeld) {
    this.engine = engine;
    this.token = token;
    this.vipHeld = vipHeld;
  }

  /** A request as the API needs it; the body is already aggregated. */
  record Request(
      String method, String path, String authorization, String ifMatch, byte[] body, String from) {}

  /** Status, JSON body and extra headers. */
  record Response(int status, byte[] body, Map<String, String> headers) {
    static Response json(int status, Object value) {
      return new Response(status, WireJson.write(value), Map.of());
    }

    static Response error(int status, String message) {
      return json(status, ErrorResponse.of(message));
    }
  }

  Response handle(Request r) {
    if (!authorized(r)) {
      return new Response(
          401,
          WireJson.write(ErrorResponse.of("unauthorized")),
          Map.of("WWW-Authenticate", "Bearer"));
    }
    try {
      return route(r);
    } catch (RuntimeException e) {
      log.error("admin {} {} from {} failed", r.method(), r.path(), r.from(), e);
      return Response.error(500, "internal error: " + e);
    }
  }

  private boolean authorized(Request r) {
    String header = r.authorization();
    String presented =
        header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
            ? header.substring(7).trim()
            : null;
    if (token.matches(presented)) {
      return true;
    }
    // Why is logged for the operator of this host; the caller learns nothing.
    log.warn(
        "admin {} {} from {} refused: 401 ({})",
        r.method(),
        r.path(),
        r.from(),
        presented == null ? "no bearer token" : "wrong token");
    return false;
  }

  private Response route(Request r) {
    if (r.path().equals("/v1/status")) {
      return r.method().equals("GET")
          ? Response.json(200, engine.status(vipHeld()))
          : notAllowed("GET");
    }
    if (!r.path().startsWith(LB_PREFIX) || r.path().indexOf('/', LB_PREFIX.length()) >= 0) {
      return Response.error(404, "no such resource: " + r.path());
    }
    String id = r.path().substring(LB_PREFIX.length());
    return switch (r.method()) {
      case "GET" ->
          engine
              .status(id)
              .map(s -> Response.json(200, s))
              .orElseGet(() -> Response.error(404, "load balancer " + id + " is not configured"));
      case "PUT" -> put(id, r);
      case "DELETE" -> delete(id, r);
      default -> notAllowed("GET, PUT, DELETE");
    };
  }

  private Response put(String id, Request r) {
    try {
      requireWellFormed(r.body());
      LoadBalancerConfig config = WireJson.read(r.body(), LoadBalancerConfig.class);
      return Response.json(200, engine.apply(id, config, unquote(r.ifMatch())));
    } catch (MalformedJsonException e) {
      return refused(id, r, 400, e.getMessage());
    } catch (InvalidConfigException e) {
      return refused(id, r, 422, e.getMessage());
    } catch (ConflictException e) {
      log.warn("{} of {} from {} refused: 409 {}", r.method(), id, r.from(), e.getMessage());
      return Response.json(409, new ErrorResponse(e.getMessage(), e.appliedVersion(), e.epoch()));
    } catch (PersistenceException e) {
      return refused(id, r, outOfSpace(e) ? 507 : 500, e.getMessage());
    }
  }

  /**
   * Syntax first: databind reports a syntax error inside a nested object (a truncated body) as a
   * mapping problem of that field, which would turn a 400 into a 422.
   */
  private static void requireWellFormed(byte[] body) {
    try {
      if (WireJson.MAPPER.readTree(body).isMissingNode()) {
        throw new MalformedJsonException("malformed JSON: the body is empty", null);
      }
    } catch (JsonProcessingException e) {
      throw new MalformedJsonException("malformed JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new MalformedJsonException("unreadable body: " + e.getMessage(), e);
    }
  }

  private Response delete(String id, Request r) {
    try {
      return engine.delete(id)
          ? Response.json(200, Map.of("deleted", id))
          : Response.error(404, "load balancer " + id + " is not configured");
    } catch (PersistenceException e) {
      return refused(id, r, outOfSpace(e) ? 507 : 500, e.getMessage());
    }
  }

  private static Response refused(String id, Request r, int status, String message) {
    log.warn("{} of {} from {} refused: {} {}", r.method(), id, r.from(), status, message);
    return Response.error(status, message);
  }

  private static Response notAllowed(String allow) {
    return new Response(
        405, WireJson.write(ErrorResponse.of("method not allowed")), Map.of("Allow", allow));
  }

  private Boolean vipHeld() {
    try {
      return vipHeld == null ? null : vipHeld.get();
    } catch (RuntimeException e) {
      log.warn("cannot tell whether this host holds the VIP: {}", e.toString());
      return null;
    }
  }

  /** {@code "sha256:…"}, {@code W/"…"} or a bare version, as the version itself. */
  static String unquote(String ifMatch) {
    if (ifMatch == null || ifMatch.isBlank()) {
      return null;
    }
    String v = ifMatch.trim();
    if (v.startsWith("W/")) {
      v = v.substring(2);
    }
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      v = v.substring(1, v.length() - 1);
    }
    return v;
  }

  /** ENOSPC or EDQUOT anywhere in the cause chain: the disk is full, not broken (507). */
  static boolean outOfSpace(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String text =
          t instanceof FileSystemException fse && fse.getReason() != null
              ? fse.getReason()
              : String.valueOf(t.getMessage());
      if (text.contains("No space left on device") || text.contains("Disk quota exceeded")) {
        return true;
      }
    }
    return false;
  }
}
