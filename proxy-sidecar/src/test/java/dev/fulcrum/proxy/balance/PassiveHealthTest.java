package dev.fulcrum.proxy.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.BackendHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What failed dials do to a backend: one (a connect timeout while its accept queue is full) closes
 * nothing and marks nothing; {@code fall} in a row take it out of new connections' picks, still
 * closing nothing; only the active checks' Down closes its sessions.
 */
class PassiveHealthTest {
  private static final long WINDOW = TimeUnit.SECONDS.toNanos(30);
  private final Backend backend =
      new Backend("ns.lb", new BackendConfig("server-1", "127.0.0.11", 6443));
  private final List<String> closed = new ArrayList<>();

  @Test
  void oneFailedDialClosesNoSessionAndMarksNothing() {
    session();
    backend.dialFailed("connect timed out after 2s", 3, WINDOW, 0);

    assertThat(backend.isUp()).isTrue();
    assertThat(closed).isEmpty();
    assertThat(backend.activeConnections()).isEqualTo(1);
  }

  @Test
  void fallFailedDialsInARowTakeItOutOfPicksButCloseNothing() {
    session();
    for (int i = 0; i < 3; i++) {
      backend.dialFailed("connection refused", 3, WINDOW, i);
    }

    assertThat(backend.isUp()).isFalse();
    assertThat(backend.checkedHealth()).isEqualTo(BackendHealth.UP);
    assertThat(closed).isEmpty();
  }

  @Test
  void aSuccessfulDialOrTheWindowStartsTheCountOver() {
    backend.dialFailed("refused", 3, WINDOW, 0);
    backend.dialFailed("refused", 3, WINDOW, 1);
    backend.dialed(1_000);
    backend.dialFailed("refused", 3, WINDOW, 2);
    backend.dialFailed("refused", 3, WINDOW, 3);
    assertThat(backend.isUp()).as("a success between failures").isTrue();

    backend.dialFailed("refused", 3, WINDOW, WINDOW + 10);
    assertThat(backend.isUp()).as("the first two are outside the window").isTrue();
  }

  @Test
  void theActiveChecksDownClosesSessionsEvenAfterAPassiveDown() {
    session();
    for (int i = 0; i < 3; i++) {
      backend.dialFailed("refused", 3, WINDOW, i);
    }
    backend.markDown("3 failed TLS checks");

    assertThat(closed).hasSize(1);
    backend.markUp("2 passed TLS checks");
    assertThat(backend.isUp()).isTrue();
    assertThat(backend.passivelyDown()).isFalse();
  }

  private void session() {
    Connection c =
        new Connection() {
          @Override
          public long openedAtNanos() {
            return 0;
          }

          @Override
          public void close(String reason) {
            closed.add(reason);
            backend.connectionClosed(this);
          }
        };
    backend.connectionOpened(c);
  }
}
