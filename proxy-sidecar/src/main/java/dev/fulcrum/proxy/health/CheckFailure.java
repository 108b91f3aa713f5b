package dev.fulcrum.proxy.health;

import io.netty.handler.codec.DecoderException;
import java.net.ConnectException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/** Why one check failed, in the few words status and logs show; it carries no stack trace. */
final class CheckFailure extends Exception {
  CheckFailure(String message) {
    super(message, null, false, false);
  }

  /**
   * The short form of whatever ended a check: "connection refused", "TLS handshake failed: ...".
   */
  static CheckFailure of(Throwable cause) {
    return cause instanceof CheckFailure f ? f : new CheckFailure(describe(cause));
  }

  private static String describe(Throwable cause) {
    Throwable c =
        cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    String message = String.valueOf(c.getMessage());
    if (c instanceof ConnectException && message.contains("Connection refused")) {
      return "connection refused";
    }
    if (c instanceof ConnectException) {
      return "connect failed: " + message;
    }
    if (c instanceof SSLHandshakeException) {
      return "TLS handshake failed: " + message;
    }
    if (c instanceof SSLException) {
      return "TLS error: " + message;
    }
    return c.getClass().getSimpleName() + ": " + message;
  }
}
