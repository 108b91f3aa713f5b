package dev.fulcrum.proxy.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin bearer token, read from a file and re-read whenever the file changes, so a rotated
 * token takes effect without a restart. The token itself is never logged.
 */
final class TokenFile {
  private static final Logger log = LoggerFactory.getLogger(TokenFile.class);
  private static final Object UNREADABLE = new Object();

  private final Path file;
  // Guarded by this: the file's identity when last read, and the SHA-256 of the token it held.
  private Object seenKey;
  private byte[] tokenDigest;

  TokenFile(Path file) {
    this.file = file;
  }

  /**
   * Whether {@code presented} is the current token, in constant time (digests of equal length are
   * compared, so neither content nor length leaks). Does file I/O: never call on an event loop.
   */
  boolean matches(String presented) {
    byte[] expected = current();
    return expected != null
        && presented != null
        && MessageDigest.isEqual(expected, sha256(presented.getBytes(StandardCharsets.UTF_8)));
  }

  private synchronized byte[] current() {
    Object key;
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      key = List.of(a.lastModifiedTime(), a.size(), Objects.toString(a.fileKey()));
    } catch (IOException e) {
      if (seenKey != UNREADABLE) {
        log.error("admin token file {} is unreadable; every admin request is refused: {}", file, e);
        seenKey = UNREADABLE;
        tokenDigest = null;
      }
      return null;
    }
    if (!key.equals(seenKey)) {
      seenKey = key;
      tokenDigest = read();
    }
    return tokenDigest;
  }

  private byte[] read() {
    try {
      String token = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (token.isEmpty()) {
        log.error("admin token file {} is empty; every admin request is refused", file);
        return null;
      }
      log.info("admin token loaded from {}", file);
      return sha256(token.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      log.error("admin token file {} is unreadable; every admin request is refused: {}", file, e);
      return null;
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JDK", e);
    }
  }
}
