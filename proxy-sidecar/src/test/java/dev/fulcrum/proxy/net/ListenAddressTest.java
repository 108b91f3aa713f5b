package dev.fulcrum.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ListenAddressTest {

  @Test
  void theDualStackWildcardNarrowsToTheFamilyOfTheVip() {
    assertThat(ListenAddress.resolve("::", 6443, null, true))
        .hasToString("[::]:6443 (IPv6 and IPv4)");
    assertThat(ListenAddress.resolve("::", 6443, "10.10.10.100/24", true))
        .hasToString("0.0.0.0:6443");
    assertThat(ListenAddress.resolve("::", 6443, "fd00::100/64", true))
        .hasToString("[::]:6443 (IPv6 only)");
  }

  @Test
  void withoutIpv6OnTheHostTheWildcardIsIpv4() {
    assertThat(ListenAddress.resolve("::", 6443, null, false)).hasToString("0.0.0.0:6443");
  }

  @Test
  void explicitAddressesAreKeptAsWritten() {
    assertThat(ListenAddress.resolve("0.0.0.0", 6443, "fd00::100/64", true))
        .hasToString("0.0.0.0:6443");
    assertThat(ListenAddress.resolve("127.0.0.1", 6443, "10.10.10.100/24", true))
        .hasToString("127.0.0.1:6443");
    assertThat(ListenAddress.resolve("::1", 6443, null, true)).hasToString("[::1]:6443");
  }

  @Test
  void listenersOverlapWhenTheyWouldTakeTheSameConnections() {
    ListenAddress dual = ListenAddress.resolve("::", 443, null, true);
    ListenAddress v4 = ListenAddress.resolve("::", 443, "10.10.10.100/24", true);
    ListenAddress v6 = ListenAddress.resolve("::", 443, "fd00::100/64", true);
    ListenAddress loopback4 = ListenAddress.resolve("127.0.0.1", 443, null, true);
    ListenAddress loopback6 = ListenAddress.resolve("::1", 443, null, true);

    assertThat(v4.overlaps(v6)).isFalse();
    assertThat(v6.overlaps(v4)).isFalse();
    assertThat(dual.overlaps(v4)).isTrue();
    assertThat(dual.overlaps(v6)).isTrue();
    assertThat(v4.overlaps(loopback4)).isTrue();
    assertThat(v6.overlaps(loopback4)).isFalse();
    assertThat(v6.overlaps(loopback6)).isTrue();
    assertThat(loopback4.overlaps(loopback6)).isFalse();
    assertThat(loopback4.overlaps(ListenAddress.resolve("127.0.0.2", 443, null, true))).isFalse();
    assertThat(v4.overlaps(ListenAddress.resolve("::", 6443, "10.10.10.100/24", true))).isFalse();
  }
}
