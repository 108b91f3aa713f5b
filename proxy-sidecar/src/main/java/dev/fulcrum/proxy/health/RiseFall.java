package dev.fulcrum.proxy.health;

import dev.fulcrum.proxy.api.BackendHealth;

/**
 * HAProxy's rise/fall counting for one backend, free of sockets so tests can drive it check by
 * check.
 *
 * <p>Not thread-safe: its checker feeds it from one event loop.
 */
final class RiseFall {
  /** What the backend's health should become after a check. */
  enum Verdict {
    STAY,
    MARK_UP,
    MARK_DOWN
  }

  private final int rise;
  private final int fall;
  private BackendHealth seen;
  private int successes;
  private int failures;

  RiseFall(int rise, int fall) {
    if (rise < 1 || fall < 1) {
      throw new IllegalArgumentException(
          "rise and fall must be at least 1 (" + rise + "/" + fall + ")");
    }
    this.rise = rise;
    this.fall = fall;
  }

  /**
   * Counts one check against the backend's health as it is now.
   *
   * @param current the backend's health now: the data plane may have marked it down since the last
   *     check (a failed connect), and counting must then start over from that state
   */
  Verdict record(boolean success, BackendHealth current) {
    if (current != seen) {
      seen = current;
      successes = 0;
      failures = 0;
    }
    if (success) {
      failures = 0;
      if (current == BackendHealth.DOWN && ++successes >= rise) {
        return changeTo(BackendHealth.UP);
      }
    } else {
      successes = 0;
      if (current == BackendHealth.UP && ++failures >= fall) {
        return changeTo(BackendHealth.DOWN);
      }
    }
    return Verdict.STAY;
  }

  private Verdict changeTo(BackendHealth next) {
    seen = next;
    successes = 0;
    failures = 0;
    return next == BackendHealth.UP ? Verdict.MARK_UP : Verdict.MARK_DOWN;
  }

  /** Consecutive successes counted towards {@code rise} while down. */
  int successes() {
    return successes;
  }

  /** Consecutive failures counted towards {@code fall} while up. */
  int failures() {
    return failures;
  }
}
