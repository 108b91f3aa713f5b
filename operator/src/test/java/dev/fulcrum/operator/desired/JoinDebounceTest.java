package dev.fulcrum.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.api.BackendConfig;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JoinDebounceTest {
  static final BackendConfig A = new BackendConfig("a", "127.0.0.51", 6443);
  static final BackendConfig B = new BackendConfig("b", "127.0.0.52", 6443);
  static final BackendConfig C = new BackendConfig("c", "127.0.0.53", 6443);
  static final long SECOND = 1_000_000_000L;

  final JoinDebounce debounce = new JoinDebounce(Duration.ofSeconds(1));

  @Test
  void aServerLeavingIsPushedAtOnce() {
    assertThat(debounce.delay("lb", Set.of(A.endpoint(), B.endpoint()), List.of(A), "v2", 0))
        .isZero();
  }

  @Test
  void aJoinWaitsForTheQuietPeriodThenGoes() {
    Set<String> served = Set.of(A.endpoint());
    assertThat(debounce.delay("lb", served, List.of(A, B), "v2", 0))
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(debounce.delay("lb", served, List.of(A, B), "v2", SECOND / 2))
        .isEqualTo(Duration.ofMillis(500));
    assertThat(debounce.delay("lb", served, List.of(A, B), "v2", SECOND)).isZero();
  }

  @Test
  void anotherJoinDuringTheWaitRestartsIt() {
    Set<String> served = Set.of(A.endpoint());
    debounce.delay("lb", served, List.of(A, B), "v2", 0);
    assertThat(debounce.delay("lb", served, List.of(A, B, C), "v3", SECOND / 2))
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aJoinTogetherWithALeaveGoesAtOnceAndAFirstPushNeverWaits() {
    assertThat(debounce.delay("lb", Set.of(A.endpoint()), List.of(B), "v2", 0)).isZero();
    assertThat(debounce.delay("lb", Set.of(), List.of(A, B), "v1", 0)).isZero();
  }

  @Test
  void onceTheWaitIsOverEveryProxyPushesTheJoinWithoutAWaitOfItsOwn() {
    Set<String> served = Set.of(A.endpoint());
    debounce.delay("lb", served, List.of(A, B), "v2", 0);
    assertThat(debounce.delay("lb", served, List.of(A, B), "v2", SECOND)).as("lb-1").isZero();
    assertThat(debounce.delay("lb", served, List.of(A, B), "v2", SECOND + 1)).as("lb-2").isZero();
    assertThat(debounce.delay("lb", served, List.of(A, B), "v2", 3 * SECOND))
        .as("a proxy that missed the round")
        .isZero();
  }

  @Test
  void aServerThatLeavesAndRejoinsWaitsAgain() {
    Set<String> withB = Set.of(A.endpoint(), B.endpoint());
    debounce.delay("lb", Set.of(A.endpoint()), List.of(A, B), "v2", 0);
    assertThat(debounce.delay("lb", Set.of(A.endpoint()), List.of(A, B), "v2", SECOND)).isZero();
    assertThat(debounce.delay("lb", withB, List.of(A), "v1", 5 * SECOND)).as("leaves").isZero();
    assertThat(debounce.delay("lb", Set.of(A.endpoint()), List.of(A, B), "v2", 6 * SECOND))
        .as("rejoins: the same set as before, a new wait")
        .isEqualTo(Duration.ofSeconds(1));
  }
}
