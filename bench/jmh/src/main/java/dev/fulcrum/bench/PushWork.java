package dev.fulcrum.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.proxy.api.ConfigValidator;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.api.WireJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The CPU work of an admin push before the swap: what PushInput and ProxyEngine.apply do first. */
final class PushWork {
  static final String ID = "kube-system.k3s-api";

  /** A push as the operator sends it for a three-server K3s cluster behind a VIP. */
  static final byte[] BODY =
      ("{\"epoch\": 1000,"
              + " \"frontend\": {\"port\": 6443, \"bind\": \"0.0.0.0\","
              + " \"virtualIP\": \"192.0.2.100/24\", \"interface\": \"eth0\","
              + " \"virtualRouterId\": 51, \"priorities\": {\"lb-1\": 150, \"lb-2\": 100}},"
              + " \"balance\": \"LeastConnections\","
              + " \"healthCheck\": {\"mode\": \"TCP\", \"intervalSeconds\": 10,"
              + " \"downIntervalSeconds\": 5},"
              + " \"timeouts\": {\"connectSeconds\": 5, \"idleSeconds\": 3600},"
              + " \"backends\": ["
              + "{\"name\": \"server-1\", \"address\": \"127.0.0.11\", \"port\": 6443},"
              + " {\"name\": \"server-2\", \"address\": \"127.0.0.12\", \"port\": 6443},"
              + " {\"name\": \"server-3\", \"address\": \"127.0.0.13\", \"port\": 6443}]}")
          .getBytes(StandardCharsets.UTF_8);

  private PushWork() {}

  /** Parse (once, as PushInput does), typed read, id check, normalize, validate, stamp. */
  static LoadBalancerConfig decodeValidateStamp(byte[] body) {
    JsonNode tree;
    try {
      tree = WireJson.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("malformed JSON", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (tree.isMissingNode()) {
      throw new IllegalArgumentException("empty body");
    }
    LoadBalancerConfig read = WireJson.read(tree, LoadBalancerConfig.class);
    ConfigValidator.checkId(ID);
    LoadBalancerConfig config = read;
    ConfigValidator.validate(config);
    return config.stamped(config.epoch());
  }
}
