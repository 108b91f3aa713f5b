package dev.fulcrum.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpLiteralTest {
  @ParameterizedTest
  @CsvSource({
    "127.0.0.1, 7f000001",
    "10.10.10.98, 0a0a0a62",
    "::, 00000000000000000000000000000000",
    "::1, 00000000000000000000000000000001",
    "fd00::10, fd000000000000000000000000000010",
    "1:2:3:4:5:6:7::, 00010002000300040005000600070000",
    "FE80:0:0:0:0:0:0:AbCd, fe80000000000000000000000000abcd",
    "::ffff:10.0.0.1, 00000000000000000000ffff0a000001",
    "::10.0.0.1, 0000000000000000000000000a000001",
    "1:2:3:4:5:6:1.2.3.4, 00010002000300040005000601020304"
  })
  void literalsBecomeTheirOctets(String literal, String hex) {
    assertThat(HexFormat.of().formatHex(IpLiteral.parse(literal))).isEqualTo(hex);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.0.0",
        "10.0.0.1.2",
        "256.0.0.1",
        "1..2.3",
        "1.2.3.4 ",
        ":::",
        "1::2::3",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9",
        "::1:2:3:4:5:6:7:8",
        "12345::1",
        "fe80::1%eth0",
        "[::1]",
        "zz::1",
        "::ffff:1.2.3",
        "1:",
        ":1",
        "localhost"
      })
  void anythingElseIsNotALiteral(String text) {
    assertThat(IpLiteral.parse(text)).isNull();
  }
}
