package dev.fulcrum.operator.push;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Why a call to a proxy failed, in the words a user acts on: the root cause named plainly ({@code
 * connection refused}, {@code timed out}, {@code certificate not trusted: …}) rather than the last
 * wrapper the HTTP client happened to throw (a {@code ClosedChannelException} hides a refused
 * connection).
 */
final class FailureCause {
  private FailureCause() {}

  static String of(Throwable e) {
    String plain = null;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String found = plain(t);
      if (found != null) {
        plain = found; // the deepest recognized cause wins: it is the root
      }
    }
    return plain != null ? plain : fallback(e);
  }

  private static String plain(Throwable t) {
    String m = t.getMessage() == null ? "" : t.getMessage();
    if (t instanceof HttpConnectTimeoutException) {
      return "timed out connecting";
    }
    if (t instanceof HttpTimeoutException) {
      return "timed out waiting for an answer";
    }
    if (t instanceof ConnectException) {
      return m.toLowerCase().contains("timed out") ? "timed out connecting" : "connection refused";
    }
    if (t instanceof NoRouteToHostException) {
      return "no route to host";
    }
    if (t instanceof UnknownHostException) {
      return "unknown host " + m;
    }
    if (t instanceof CertPathValidatorException || m.contains("PKIX path")) {
      return "certificate not trusted: the proxy's admin certificate is not signed by the Secret's"
          + " ca.crt";
    }
    if (t instanceof CertificateException && m.contains("No subject alternative")) {
      return "certificate does not name this endpoint: " + m;
    }
    if (t instanceof SSLHandshakeException && m.contains("bad_certificate")) {
      return "the proxy refused this operator's client certificate (bad_certificate): it requires"
          + " tls.crt and tls.key in the Secret, signed by its clientCaFile";
    }
    if (t instanceof EOFException) {
      return "connection closed before an answer";
    }
    return null;
  }

  private static String fallback(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t && t.getMessage() == null) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
