package dev.fulcrum.proxy.health;

import static dev.fulcrum.proxy.api.BackendHealth.DOWN;
import static dev.fulcrum.proxy.api.BackendHealth.UP;
import static dev.fulcrum.proxy.health.RiseFall.Verdict.MARK_DOWN;
import static dev.fulcrum.proxy.health.RiseFall.Verdict.MARK_UP;
import static dev.fulcrum.proxy.health.RiseFall.Verdict.STAY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RiseFallTest {
  private final RiseFall riseFall = new RiseFall(2, 3);

  @Test
  void upBackendGoesDownOnlyAtTheFallthConsecutiveFailure() {
    assertThat(riseFall.record(false, UP)).isEqualTo(STAY);
    assertThat(riseFall.record(false, UP)).isEqualTo(STAY);
    assertThat(riseFall.record(false, UP)).isEqualTo(MARK_DOWN);
  }

  @Test
  void aSuccessBetweenFailuresStartsTheFallCountOver() {
    riseFall.record(false, UP);
    riseFall.record(false, UP);
    assertThat(riseFall.record(true, UP)).isEqualTo(STAY);
    assertThat(riseFall.failures()).isZero();
    assertThat(riseFall.record(false, UP)).isEqualTo(STAY);
    assertThat(riseFall.record(false, UP)).isEqualTo(STAY);
    assertThat(riseFall.record(false, UP)).isEqualTo(MARK_DOWN);
  }

  @Test
  void downBackendComesUpOnlyAtTheRisethConsecutiveSuccess() {
    assertThat(riseFall.record(true, DOWN)).isEqualTo(STAY);
    assertThat(riseFall.record(false, DOWN)).isEqualTo(STAY);
    assertThat(riseFall.successes()).isZero();
    assertThat(riseFall.record(true, DOWN)).isEqualTo(STAY);
    assertThat(riseFall.record(true, DOWN)).isEqualTo(MARK_UP);
  }

  @Test
  void failuresOfADownBackendAndSuccessesOfAnUpOneChangeNothing() {
    for (int i = 0; i < 10; i++) {
      assertThat(riseFall.record(false, DOWN)).isEqualTo(STAY);
    }
    RiseFall other = new RiseFall(2, 3);
    for (int i = 0; i < 10; i++) {
      assertThat(other.record(true, UP)).isEqualTo(STAY);
    }
  }

  @Test
  void afterGoingDownTheBackendNeedsRiseSuccessesNotOne() {
    riseFall.record(false, UP);
    riseFall.record(false, UP);
    assertThat(riseFall.record(false, UP)).isEqualTo(MARK_DOWN);
    assertThat(riseFall.record(true, DOWN)).isEqualTo(STAY);
    assertThat(riseFall.record(true, DOWN)).isEqualTo(MARK_UP);
    assertThat(riseFall.record(false, UP)).isEqualTo(STAY);
  }

  @Test
  void passiveDownByTheDataPlaneIsCountedFromAndEarlierFailuresAreForgotten() {
    riseFall.record(false, UP);
    riseFall.record(false, UP);
    // A failed connect marked the backend down between two checks.
    assertThat(riseFall.record(true, DOWN)).isEqualTo(STAY);
    assertThat(riseFall.record(true, DOWN)).isEqualTo(MARK_UP);
    // Back up, the two old failures no longer count towards fall.
    assertThat(riseFall.record(false, UP)).isEqualTo(STAY);
    assertThat(riseFall.record(false, UP)).isEqualTo(STAY);
    assertThat(riseFall.record(false, UP)).isEqualTo(MARK_DOWN);
  }

  @Test
  void passiveUpWhileCountingRiseStartsTheCountOver() {
    riseFall.record(true, DOWN);
    // Someone else marked it up; a later passive down needs rise successes again.
    riseFall.record(true, UP);
    assertThat(riseFall.record(true, DOWN)).isEqualTo(STAY);
    assertThat(riseFall.record(true, DOWN)).isEqualTo(MARK_UP);
  }

  @Test
  void riseOrFallBelowOneIsRefused() {
    assertThatThrownBy(() -> new RiseFall(0, 3)).hasMessageContaining("rise and fall");
    assertThatThrownBy(() -> new RiseFall(2, 0)).hasMessageContaining("rise and fall");
  }
}
