package dev.fulcrum.proxy.health;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Reads the DNS and IP subject alternative names of a server certificate, in certificate order. */
final class CertificateSans {
  private static final int DNS_NAME = 2;
  private static final int IP_ADDRESS = 7;

  private CertificateSans() {}

  static List<String> of(X509Certificate certificate) throws CertificateParsingException {
    Collection<List<?>> names = certificate.getSubjectAlternativeNames();
    if (names == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (List<?> name : names) {
      Object type = name.get(0);
      if ((type.equals(DNS_NAME) || type.equals(IP_ADDRESS)) && name.get(1) instanceof String s) {
        out.add(s);
      }
    }
    return List.copyOf(out);
  }
}
