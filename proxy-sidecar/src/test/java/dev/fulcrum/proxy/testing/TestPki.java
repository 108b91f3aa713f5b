package dev.fulcrum.proxy.testing;

import dev.fulcrum.proxy.tls.Pki;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.CertificateBuilder.KeyUsage;
import io.netty.pkitesting.X509Bundle;
import io.netty.util.NetUtil;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Certificate authorities and the certificates they issue, for tests only (Netty's pkitesting):
 * ECDSA P-256, as the proxy's own certificates. The product itself only ever makes a self-signed
 * admin certificate ({@link Pki#selfSigned}).
 */
public final class TestPki {
  private TestPki() {}

  /** A self-signed CA, valid from an hour ago for ten years. */
  public static Pki.Issued authority(String commonName) {
    try {
      X509Bundle ca =
          base(commonName, Duration.ofDays(3650))
              .setIsCertificateAuthority(true)
              .setKeyUsage(true, KeyUsage.digitalSignature, KeyUsage.keyCertSign, KeyUsage.cRLSign)
              .buildSelfSigned();
      return new Pki.Issued(ca.getKeyPair().getPrivate(), List.of(ca.getCertificate()));
    } catch (Exception e) {
      throw new IllegalStateException("cannot make a test CA", e);
    }
  }

  /**
   * A leaf signed by {@code ca}, usable by a server and by a client: IP literals become IP SANs,
   * anything else a DNS SAN.
   */
  public static Pki.Issued issue(Pki.Issued ca, String commonName, List<String> sans) {
    try {
      X509Bundle issuer =
          X509Bundle.fromRootCertificateAuthority(
              ca.certificate(), new KeyPair(ca.certificate().getPublicKey(), ca.key()));
      CertificateBuilder leaf =
          base(commonName, Duration.ofDays(825))
              .setKeyUsage(true, KeyUsage.digitalSignature, KeyUsage.keyEncipherment);
      for (String san : sans) {
        if (NetUtil.isValidIpV4Address(san) || NetUtil.isValidIpV6Address(san)) {
          leaf.addSanIpAddress(san);
        } else {
          leaf.addSanDnsName(san);
        }
      }
      X509Bundle issued = leaf.buildIssuedBy(issuer);
      return new Pki.Issued(issued.getKeyPair().getPrivate(), List.of(issued.getCertificate()));
    } catch (Exception e) {
      throw new IllegalStateException("cannot issue a test certificate for " + sans, e);
    }
  }

  private static CertificateBuilder base(String commonName, Duration validity) {
    Instant now = Instant.now();
    return new CertificateBuilder()
        .subject("CN=" + commonName)
        .ecp256()
        .notBefore(now.minus(Duration.ofHours(1)))
        .notAfter(now.plus(validity));
  }
}
