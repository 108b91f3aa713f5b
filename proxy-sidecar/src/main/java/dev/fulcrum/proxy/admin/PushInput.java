package dev.fulcrum.proxy.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.api.MalformedJsonException;
import dev.fulcrum.proxy.api.WireJson;
import java.io.IOException;

/** Reads what a push carries: its config body and the version its If-Match header names. */
final class PushInput {
  private PushInput() {}

  /**
   * @throws MalformedJsonException the body is not JSON (400)
   * @throws dev.fulcrum.proxy.api.InvalidConfigException JSON that does not fit, naming the field
   */
  static LoadBalancerConfig config(byte[] body) {
    return WireJson.read(wellFormed(body), LoadBalancerConfig.class);
  }

  /**
   * Syntax first, parsed once: databind reports a syntax error inside a nested object (a truncated
   * body) as a mapping problem of that field, which would turn a 400 into a 422.
   */
  private static JsonNode wellFormed(byte[] body) {
    try {
      JsonNode tree = WireJson.MAPPER.readTree(body);
      if (tree.isMissingNode()) {
        throw new MalformedJsonException("malformed JSON: the body is empty", null);
      }
      return tree;
    } catch (JsonProcessingException e) {
      throw new MalformedJsonException("malformed JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new MalformedJsonException("unreadable body: " + e.getMessage(), e);
    }
  }

  /** {@code "sha256:…"}, {@code W/"…"} or a bare version, as the version itself. */
  static String version(String ifMatch) {
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
}
