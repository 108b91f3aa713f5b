package dev.fulcrum.proxy.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pace on a hand-turned clock: what is admitted at once, what waits, and in which order. */
class DialPaceTest {
  private long now = 1_000_000_000L;
  private final List<Scheduled> timers = new ArrayList<>();
  private final DialPace pace =
      new DialPace(() -> now, (task, delay) -> timers.add(new Scheduled(now + delay, task)));
  private final List<String> admitted = new ArrayList<>();

  private record Scheduled(long at, Runnable task) {}

  private final class Client implements DialPace.Waiter {
    final String name;
    boolean left;

    Client(String name) {
      this.name = name;
    }

    @Override
    public void admitted() {
      admitted.add(name);
    }

    @Override
    public boolean gone() {
      return left;
    }
  }

  /** Moves the clock a millisecond at a time, running the refills as they fall due. */
  private void runForMillis(long millis) {
    for (long ms = 0; ms < millis; ms++) {
      now += TimeUnit.MILLISECONDS.toNanos(1);
      List<Scheduled> due = timers.stream().filter(t -> t.at() <= now).toList();
      timers.removeAll(due);
      due.forEach(t -> t.task().run());
    }
  }

  /** Admits {@code n} clients named from {@code first}; returns how many went at once. */
  private int arrive(int first, int n) {
    int atOnce = 0;
    for (int i = first; i < first + n; i++) {
      if (pace.admitOrWait(new Client("c" + i))) {
        atOnce++;
        pace.dialDone(); // a dial that ends at once: only the rate holds clients back
      }
    }
    return atOnce;
  }

  @Test
  void unpacedAdmitsEveryoneAtOnce() {
    assertThat(arrive(0, 10_000)).isEqualTo(10_000);
    assertThat(pace.waiting()).isZero();
  }

  @Test
  void aBurstGetsATenthOfASecondsWorthAtOnceAndTheRestAtTheRate() {
    pace.configure(1000, 10_000);

    assertThat(arrive(0, 3_000)).as("a tenth of a second's worth").isEqualTo(100);
    assertThat(pace.waiting()).isEqualTo(2_900);

    runForMillis(2_800);
    assertThat(pace.waiting()).as("2.8 s at 1000/s").isEqualTo(100);
    runForMillis(100);
    assertThat(pace.waiting()).isZero();
    assertThat(admitted).hasSize(2_900);
    admitted.forEach(n -> pace.dialDone());
  }

  @Test
  void theRateHoldsOverTime() {
    pace.configure(1000, 10_000);
    arrive(0, 3_000);
    admitted.clear();
    runForMillis(500);
    // 500 ms at 1000/s: 500 more, give or take the one a partial refill rounds away.
    assertThat(admitted.size()).isBetween(499, 501);
  }

  @Test
  void waitersGoFirstComeFirstServed() {
    pace.configure(10, 10_000);
    arrive(0, 5); // c0 goes at once, c1..c4 wait
    runForMillis(400);
    assertThat(admitted).containsExactly("c1", "c2", "c3", "c4");
  }

  @Test
  void aNewcomerDoesNotOvertakeTheLine() {
    pace.configure(10, 10_000);
    arrive(0, 3); // c0 goes, c1 and c2 wait
    now += TimeUnit.MILLISECONDS.toNanos(100); // a token is earned, but no refill ran yet
    assertThat(pace.admitOrWait(new Client("late"))).as("the line goes first").isFalse();
    assertThat(admitted).containsExactly("c1");
  }

  @Test
  void theInFlightCapHoldsDialsUntilOneEnds() {
    pace.configure(0, 2);
    assertThat(pace.admitOrWait(new Client("a"))).isTrue();
    assertThat(pace.admitOrWait(new Client("b"))).isTrue();
    assertThat(pace.admitOrWait(new Client("c"))).isFalse();
    assertThat(pace.admitOrWait(new Client("d"))).isFalse();
    assertThat(timers).as("no timer: only an ending dial frees a slot").isEmpty();

    pace.dialDone();
    assertThat(admitted).containsExactly("c");
    assertThat(pace.inFlight()).isEqualTo(2);
    pace.dialDone();
    assertThat(admitted).containsExactly("c", "d");
  }

  @Test
  void aClientThatLeftTakesNoTurn() {
    pace.configure(0, 1);
    pace.admitOrWait(new Client("a"));
    Client gone = new Client("gone");
    pace.admitOrWait(gone);
    pace.admitOrWait(new Client("b"));
    gone.left = true;

    pace.dialDone();

    assertThat(admitted).containsExactly("b");
    assertThat(pace.waiting()).isZero();
  }

  @Test
  void flushEndsEveryWaitAndEachWaiterHoldsASlotToReturn() {
    pace.configure(1, 1);
    arrive(0, 4); // c0 went and returned; c1..c3 wait on the rate

    pace.flush(); // the backend went down

    assertThat(admitted).containsExactly("c1", "c2", "c3");
    assertThat(pace.waiting()).isZero();
    assertThat(pace.inFlight()).isEqualTo(3);
    admitted.forEach(n -> pace.dialDone());
    assertThat(pace.inFlight()).isZero();
  }

  @Test
  void loosenedSettingsAdmitWhoeverWaits() {
    pace.configure(10, 10_000);
    arrive(0, 50);
    assertThat(pace.waiting()).isEqualTo(49);

    pace.configure(0, 10_000); // the rate turned off by a push

    assertThat(pace.waiting()).isZero();
    assertThat(admitted).hasSize(49);
  }

  @Test
  void aRefillIsScheduledForWhenTheNextTokenIsEarned() {
    pace.configure(10, 10_000);
    arrive(0, 2);
    assertThat(timers).hasSize(1);
    assertThat(timers.get(0).at() - now).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
  }
}
