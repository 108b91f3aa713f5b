package dev.fulcrum.proxy.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.Balance;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Which backends each strategy may pick: the rules the dialer relies on for every connection. */
class BalancersTest {
  private static final InetAddress CLIENT = InetAddress.getLoopbackAddress();

  private static Backend backend(String name) {
    return new Backend("lb", new BackendConfig(name, "127.0.0." + (name.charAt(1) - '0'), 6443));
  }

  private static Set<String> picked(Balance mode, List<Backend> backends, Set<Backend> tried) {
    Balancer balancer = Balancers.of(mode);
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      InetAddress client = ipv4(10, 0, i / 250, i % 250 + 1);
      Backend b = balancer.pick(backends, client, tried::contains);
      names.add(b == null ? null : b.config().name());
    }
    return names;
  }

  private static InetAddress ipv4(int a, int b, int c, int d) {
    try {
      return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  @ParameterizedTest
  @EnumSource(Balance.class)
  void picksOnlyUpBackendsThatAreNeitherDrainingNorTried(Balance mode) {
    Backend s1 = backend("s1");
    Backend s2 = backend("s2");
    Backend s3 = backend("s3");
    Backend s4 = backend("s4");
    s2.markDown("test");
    s3.startDraining();
    List<Backend> all = List.of(s1, s2, s3, s4);

    assertThat(picked(mode, all, Set.of())).containsExactlyInAnyOrder("s1", "s4");
    assertThat(picked(mode, all, Set.of(s1))).containsExactly("s4");
  }

  @ParameterizedTest
  @EnumSource(Balance.class)
  void fallsBackToUntriedBackendsThatAreDownWhenNoneIsUp(Balance mode) {
    Backend s1 = backend("s1");
    Backend s2 = backend("s2");
    Backend s3 = backend("s3");
    s1.markDown("test");
    s2.markDown("test");
    s3.markDown("test");
    s3.startDraining();
    List<Backend> all = List.of(s1, s2, s3);

    // Stale health must not refuse a client a backend could serve; a draining one is never new.
    assertThat(picked(mode, all, Set.of())).containsExactlyInAnyOrder("s1", "s2");
    assertThat(picked(mode, all, Set.of(s2))).containsExactly("s1");
    assertThat(picked(mode, all, Set.of(s1, s2))).containsOnlyNulls();
  }

  @ParameterizedTest
  @EnumSource(Balance.class)
  void anUpBackendIsPreferredOverDownOnesEvenWhenTheUpOneIsLast(Balance mode) {
    Backend s1 = backend("s1");
    Backend s2 = backend("s2");
    Backend s3 = backend("s3");
    s1.markDown("test");
    s2.markDown("test");

    assertThat(picked(mode, List.of(s1, s2, s3), Set.of())).containsExactly("s3");
  }

  @Test
  void roundRobinTakesTurnsEvenlyOverTheCandidates() {
    Backend s1 = backend("s1");
    Backend s2 = backend("s2");
    Backend s3 = backend("s3");
    Backend s4 = backend("s4");
    s2.markDown("test");
    Balancer rr = Balancers.of(Balance.ROUND_ROBIN);
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      counts.merge(
          rr.pick(List.of(s1, s2, s3, s4), CLIENT, b -> false).config().name(), 1, Integer::sum);
    }
    assertThat(counts)
        .containsOnly(Map.entry("s1", 100), Map.entry("s3", 100), Map.entry("s4", 100));
  }

  @Test
  void leastConnectionsPicksTheBackendWithFewestOpen() {
    Backend s1 = backend("s1");
    Backend s2 = backend("s2");
    Backend s3 = backend("s3");
    for (int i = 0; i < 3; i++) {
      s1.connectionOpened(new Held());
      s3.connectionOpened(new Held());
    }
    s2.connectionOpened(new Held());

    assertThat(picked(Balance.LEAST_CONNECTIONS, List.of(s1, s2, s3), Set.of()))
        .containsExactly("s2");
  }

  @Test
  void sourceHashKeepsAClientOnItsBackendWhenAnotherBackendGoesAway() {
    Backend s1 = backend("s1");
    Backend s2 = backend("s2");
    Backend s3 = backend("s3");
    Balancer hash = Balancers.of(Balance.SOURCE_HASH);
    Map<InetAddress, Backend> before = new HashMap<>();
    for (int i = 1; i <= 60; i++) {
      InetAddress client = ipv4(10, 1, 0, i);
      before.put(client, hash.pick(List.of(s1, s2, s3), client, b -> false));
    }
    assertThat(new HashSet<>(before.values())).as("clients spread").hasSize(3);

    s2.markDown("test");
    before.forEach(
        (client, was) -> {
          Backend now = hash.pick(List.of(s1, s2, s3), client, b -> false);
          if (was != s2) {
            assertThat(now).as("%s stays on %s", client, was).isSameAs(was);
          } else {
            assertThat(now).isIn(s1, s3);
          }
        });
  }

  private static final class Held implements Connection {
    @Override
    public long openedAtNanos() {
      return 0;
    }

    @Override
    public void close(String reason) {}
  }
}
