package dev.fulcrum.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CertificateCoverageTest {
  @Test
  void ipSanMatchesInEitherSpellingAndIpv6InAnyForm() {
    assertThat(CertificateCoverage.covers(List.of("IP:127.0.0.100"), "127.0.0.100")).isTrue();
    assertThat(CertificateCoverage.covers(List.of("127.0.0.100"), "127.0.0.100")).isTrue();
    assertThat(CertificateCoverage.covers(List.of("IP:fd00:0:0:0:0:0:0:64"), "fd00::64")).isTrue();
    assertThat(CertificateCoverage.covers(List.of("IP:127.0.0.51"), "127.0.0.100")).isFalse();
  }

  @Test
  void dnsSanMatchesExactlyOrByOneLevelWildcard() {
    assertThat(CertificateCoverage.covers(List.of("DNS:*.example.com"), "api.example.com"))
        .isTrue();
    assertThat(CertificateCoverage.covers(List.of("DNS:*.example.com"), "a.b.example.com"))
        .isFalse();
    assertThat(CertificateCoverage.covers(List.of("DNS:API.example.com"), "api.example.com"))
        .isTrue();
  }

  @Test
  void noSansSeenClaimsNothing() {
    assertThat(CertificateCoverage.covers(List.of(), "127.0.0.100")).isNull();
    assertThat(CertificateCoverage.covers(null, "127.0.0.100")).isNull();
  }
}
