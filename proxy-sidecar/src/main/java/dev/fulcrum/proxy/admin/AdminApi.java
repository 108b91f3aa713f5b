package dev.fulcrum.proxy.admin;

import dev.fulcrum.proxy.api.ErrorResponse;
import dev.fulcrum.proxy.api.InvalidConfigException;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.api.MalformedJsonException;
import dev.fulcrum.proxy.api.ProxyStatus;
import dev.fulcrum.proxy.api.WireJson;
import dev.fulcrum.proxy.engine.ConflictException;
import dev.fulcrum.proxy.engine.PersistenceException;
import dev.fulcrum.proxy.engine.ProxyEngine;
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
  private static final String ADOPT = "/adopt";
  static final String WATCH = "/v1/watch";

  private final ProxyEngine engine;
  private final TokenFile token;
  private final Supplier<Boolean> vipHeld;
  private volatile ChangeFeed feed; // null until the admin server attaches it (and in unit tests)

  AdminApi(ProxyEngine engine, TokenFile token, Supplier<Boolean> vipHeld) {
    this.engine = engine;
    this.token = token;
    this.vipHeld = vipHeld;
  }

  /** Status answers carry this feed's revision. */
  void feed(ChangeFeed f) {
    this.feed = f;
  }

  AdminResponse handle(AdminRequest r) {
    AdminResponse response = answer(r);
    engine.metrics().adminRequest(r.method(), response.status());
    return response;
  }

  private AdminResponse answer(AdminRequest r) {
    if (!authorized(r)) {
      return new AdminResponse(
          401,
          WireJson.write(ErrorResponse.of("unauthorized")),
          Map.of("WWW-Authenticate", "Bearer"));
    }
    try {
      return route(r);
    } catch (RuntimeException e) {
      log.error("admin {} {} from {} failed", r.method(), r.path(), r.from(), e);
      return AdminResponse.error(500, "internal error: " + e);
    }
  }

  /**
   * Checks a request's headers before its body is read: false (logged, counted as a 401) when the
   * bearer token is missing or wrong.
   */
  boolean admits(String method, String path, String from, String authorization) {
    AdminRequest headersOnly =
        new AdminRequest(method, path, authorization, null, new byte[0], from);
    if (authorized(headersOnly)) {
      return true;
    }
    engine.metrics().adminRequest(method, 401);
    return false;
  }

  private boolean authorized(AdminRequest r) {
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

  /**
   * Whether the token a watch stream was opened with is still the current one; a stream whose token
   * was rotated away ends at its next line.
   */
  boolean stillAdmits(String authorization) {
    String presented =
        authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
            ? authorization.substring(7).trim()
            : null;
    return token.matches(presented);
  }

  /** Counts a request answered outside {@link #handle} (a watch stream). */
  void counted(String method, int status) {
    engine.metrics().adminRequest(method, status);
  }

  private AdminResponse route(AdminRequest r) {
    if (r.path().equals(WATCH)) { // a GET is streamed by the handler and never gets here
      return notAllowed("GET");
    }
    if (r.path().equals("/v1/status")) {
      return r.method().equals("GET") ? AdminResponse.json(200, status()) : notAllowed("GET");
    }
    if (r.path().startsWith(LB_PREFIX) && r.path().endsWith(ADOPT)) {
      String id = r.path().substring(LB_PREFIX.length(), r.path().length() - ADOPT.length());
      if (id.indexOf('/') < 0) {
        return r.method().equals("POST") ? adopt(id, r) : notAllowed("POST");
      }
    }
    if (!r.path().startsWith(LB_PREFIX) || r.path().indexOf('/', LB_PREFIX.length()) >= 0) {
      return AdminResponse.error(404, "no such resource: " + r.path());
    }
    String id = r.path().substring(LB_PREFIX.length());
    return switch (r.method()) {
      case "GET" ->
          engine
              .status(id)
              .map(s -> AdminResponse.json(200, s))
              .orElseGet(
                  () -> AdminResponse.error(404, "load balancer " + id + " is not configured"));
      case "PUT" -> put(id, r);
      case "DELETE" -> delete(id, r);
      default -> notAllowed("GET, PUT, DELETE");
    };
  }

  private AdminResponse put(String id, AdminRequest r) {
    try {
      LoadBalancerConfig config = PushInput.config(r.body());
      return AdminResponse.json(200, engine.apply(id, config, PushInput.version(r.ifMatch())));
    } catch (MalformedJsonException e) {
      return refused(id, r, 400, e.getMessage());
    } catch (InvalidConfigException e) {
      return refused(id, r, 422, e.getMessage());
    } catch (ConflictException e) {
      log.warn("{} of {} from {} refused: 409 {}", r.method(), id, r.from(), e.getMessage());
      return AdminResponse.json(
          409, new ErrorResponse(e.getMessage(), e.appliedVersion(), e.epoch()));
    } catch (PersistenceException e) {
      return refused(id, r, outOfSpace(e) ? 507 : 500, e.getMessage());
    }
  }

  private AdminResponse delete(String id, AdminRequest r) {
    try {
      return engine.delete(id)
          ? AdminResponse.json(200, Map.of("deleted", id))
          : AdminResponse.error(404, "load balancer " + id + " is not configured");
    } catch (PersistenceException e) {
      return refused(id, r, outOfSpace(e) ? 507 : 500, e.getMessage());
    }
  }

  /** Re-adoption: the fence of {@code id} is forgotten; logged with who asked. */
  private AdminResponse adopt(String id, AdminRequest r) {
    try {
      long was = engine.adopt(id);
      log.warn(
          "{}: re-adopted by an admin request from {}: fence {} forgotten, the next push from any"
              + " operator is accepted",
          id,
          r.from(),
          was);
      return AdminResponse.json(200, Map.of("adopted", id, "previousFence", was));
    } catch (IllegalArgumentException e) {
      return refused(id, r, 422, e.getMessage());
    } catch (PersistenceException e) {
      return refused(id, r, outOfSpace(e) ? 507 : 500, e.getMessage());
    }
  }

  private static AdminResponse refused(String id, AdminRequest r, int status, String message) {
    log.warn("{} of {} from {} refused: {} {}", r.method(), id, r.from(), status, message);
    return AdminResponse.error(status, message);
  }

  private static AdminResponse notAllowed(String allow) {
    return new AdminResponse(
        405, WireJson.write(ErrorResponse.of("method not allowed")), Map.of("Allow", allow));
  }

  private ProxyStatus status() {
    ChangeFeed f = feed;
    String revision = f == null ? null : f.settle(); // before the read: the answer is as new
    return engine.status(vipHeld()).withRevision(revision);
  }

  private Boolean vipHeld() {
    try {
      return vipHeld == null ? null : vipHeld.get();
    } catch (RuntimeException e) {
      log.warn("cannot tell whether this host holds the VIP: {}", e.toString());
      return null;
    }
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
