package dev.fulcrum.proxy.vip;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * What fulcrum-keepalived made of the instances it last read: their SHA-256 (null when there was no
 * file) and the refusal, if any. Written by root, read by the proxy.
 */
public record RenderResult(String instancesSha256, String error, String at) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static RenderResult of(byte[] instances, String error) {
    return new RenderResult(
        instances == null ? null : sha256(instances), error, Instant.now().toString());
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  String toJson() {
    try {
      return JSON.writeValueAsString(this) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static RenderResult parse(byte[] json) throws IOException {
    return JSON.readValue(json, RenderResult.class);
  }
}
