package dev.fulcrum.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AcceptBackoffTest {
  private final EmbeddedChannel listener = new EmbeddedChannel();
  private final AcceptBackoff backoff = new AcceptBackoff("ns.lb", 2);

  @Test
  void stopsAcceptingAtTheLimitAndResumesWhenAConnectionCloses() {
    backoff.attach(Listener.of(listener));
    assertThat(backoff.tryAcquire()).isTrue();
    assertThat(backoff.tryAcquire()).isTrue();
    listener.runPendingTasks();
    assertThat(listener.config().isAutoRead()).as("paused at the limit").isFalse();

    backoff.release();
    listener.runPendingTasks();
    assertThat(listener.config().isAutoRead()).as("resumed below the limit").isTrue();
    assertThat(backoff.active()).isEqualTo(1);
  }

  @Test
  void aClientAcceptedBeforeThePauseTookEffectWaitsForTheNextSlotInsteadOfBeingClosed() {
    backoff.attach(Listener.of(listener));
    List<String> admitted = new ArrayList<>();
    assertThat(backoff.acquireOrWait(() -> admitted.add("first"))).isTrue();
    assertThat(backoff.acquireOrWait(() -> admitted.add("second"))).isTrue();
    // The accept already in flight when the limit was reached:
    assertThat(backoff.acquireOrWait(() -> admitted.add("late"))).isTrue();
    assertThat(admitted).containsExactly("first", "second");
    assertThat(backoff.active()).isEqualTo(2);
    assertThat(backoff.waiting()).isEqualTo(1);

    backoff.release();
    listener.runPendingTasks();
    assertThat(admitted).as("the freed slot went to the waiting client").endsWith("late");
    assertThat(backoff.active()).isEqualTo(2);
    assertThat(backoff.waiting()).isZero();
    assertThat(listener.config().isAutoRead())
        .as("still full: the backlog keeps waiting")
        .isFalse();
  }

  @Test
  void raisingTheLimitAdmitsWaitingClientsFirst() {
    backoff.attach(Listener.of(listener));
    List<String> admitted = new ArrayList<>();
    backoff.acquireOrWait(() -> admitted.add("a"));
    backoff.acquireOrWait(() -> admitted.add("b"));
    backoff.acquireOrWait(() -> admitted.add("c"));

    backoff.limit(4);
    listener.runPendingTasks();
    assertThat(admitted).containsExactly("a", "b", "c");
    assertThat(backoff.active()).isEqualTo(3);
    assertThat(listener.config().isAutoRead()).isTrue();
  }

  @Test
  void refusesOnlyWhenTooManyClientsAlreadyWait() {
    backoff.tryAcquire();
    backoff.tryAcquire();
    for (int i = 0; i < AcceptBackoff.MAX_WAITING; i++) {
      assertThat(backoff.acquireOrWait(() -> {})).isTrue();
    }
    assertThat(backoff.acquireOrWait(() -> {})).as("the caller closes this one").isFalse();
    assertThat(backoff.waiting()).isEqualTo(AcceptBackoff.MAX_WAITING);
    assertThat(backoff.active()).isEqualTo(2);
  }

  @Test
  void underConcurrentAcceptsAndClosesEveryClientIsAdmittedOnceAndTheLimitHolds() throws Exception {
    AcceptBackoff shared = new AcceptBackoff("ns.lb", 3);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger admittedCount = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    ExecutorService closers = Executors.newFixedThreadPool(4);
    int clients = 20_000;
    try {
      List<Future<?>> accepting = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        accepting.add(
            closers.submit(
                () -> {
                  for (int i = 0; i < clients / 4; i++) {
                    // As the paused listener: while accepted clients wait, the next ones stay in
                    // the backlog (without this, 4 threads outrun the admissions by thousands).
                    while (shared.waiting() >= 64) {
                      Thread.onSpinWait();
                    }
                    boolean taken =
                        shared.acquireOrWait(
                            () -> {
                              most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                              admittedCount.incrementAndGet();
                              inside.decrementAndGet();
                              shared.release(); // the connection ends at once, on this thread
                            });
                    if (!taken) {
                      refused.incrementAndGet();
                    }
                  }
                }));
      }
      for (Future<?> f : accepting) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      closers.shutdownNow();
    }
    assertThat(refused.get()).as("no client refused").isZero();
    assertThat(admittedCount.get()).as("every client admitted exactly once").isEqualTo(clients);
    assertThat(most.get()).as("never more than maxConnections at once").isLessThanOrEqualTo(3);
    assertThat(shared.active()).isZero();
    assertThat(shared.waiting()).isZero();
  }

  @Test
  void raisingTheLimitResumesAccepting() {
    backoff.attach(Listener.of(listener));
    backoff.tryAcquire();
    backoff.tryAcquire();
    listener.runPendingTasks();
    assertThat(listener.config().isAutoRead()).isFalse();

    backoff.limit(3);
    listener.runPendingTasks();
    assertThat(listener.config().isAutoRead()).isTrue();
    assertThat(backoff.tryAcquire()).isTrue();
  }
}
