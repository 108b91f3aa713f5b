package dev.fulcrum.proxy.admin;

import dev.fulcrum.proxy.api.ErrorResponse;
import dev.fulcrum.proxy.api.WireJson;
import java.util.Map;

/** An admin answer: status, JSON body and extra headers. */
record AdminResponse(int status, byte[] body, Map<String, String> headers) {
  static AdminResponse json(int status, Object value) {
    return new AdminResponse(status, WireJson.write(value), Map.of());
  }

  static AdminResponse error(int status, String message) {
    return json(status, ErrorResponse.of(message));
  }
}
