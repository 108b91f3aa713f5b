package dev.fulcrum.proxy.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.Balance;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.api.RebalanceConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RebalancerTest {
  private final CountingScheduler scheduler = new CountingScheduler();
  private final List<Long> closedAt = Collections.synchronizedList(new ArrayList<>());
  private final List<FakeConnection> closed = Collections.synchronizedList(new ArrayList<>());
  private volatile List<Backend> reconnectTo = List.of();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  @Test
  void closesTheOldestConnectionsOfTheBusiestBackendsUntilWithinTolerance() throws Exception {
    Backend a = backend("a");
    Backend b = backend("b");
    Backend c = backend("c");
    List<FakeConnection> originalA = open(a, 150, 0);
    List<FakeConnection> originalB = open(b, 150, 1_000);
    BackendPool pool = pool(List.of(a, b, c), 200, 10);

    runUntil(pool, c, () -> Rebalancer.overloaded(pool.backends(), 10) == null);

    assertThat(c.activeConnections()).isBetween(90, 110);
    assertThat(a.activeConnections() + b.activeConnections() + c.activeConnections())
        .isEqualTo(300);
    assertThat(closed).noneMatch(x -> x.backend == c);
    List<FakeConnection> fromA = closed.stream().filter(x -> x.backend == a).toList();
    List<FakeConnection> fromB = closed.stream().filter(x -> x.backend == b).toList();
    assertThat(fromA).isNotEmpty().isEqualTo(originalA.subList(0, fromA.size()));
    assertThat(fromB).isNotEmpty().isEqualTo(originalB.subList(0, fromB.size()));
  }

  @Test
  void neverClosesMoreThanTheConfiguredRateInAnyOneSecondWindow() throws Exception {
    Backend a = backend("a");
    Backend b = backend("b");
    open(a, 100, 0);

    runUntil(pool(List.of(a, b), 20, 5), b, () -> closedAt.size() >= 45);

    List<Long> times = List.copyOf(closedAt);
    for (int i = 0; i < times.size(); i++) {
      long start = times.get(i);
      long inWindow = times.stream().filter(t -> t >= start && t < start + 1_000_000_000L).count();
      assertThat(inWindow).as("closes in the second from close %d", i).isLessThanOrEqualTo(20);
    }
  }

  @Test
  void ignoresBackendsThatAreDown() throws Exception {
    Backend a = backend("a");
    Backend b = backend("b");
    Backend c = backend("c");
    open(a, 50, 0);
    open(b, 50, 0);
    c.markDown("test: server gone");

    runUntil(pool(List.of(a, b, c), 1000, 10), null, () -> scheduler.runs.get() >= 50);

    assertThat(closed).isEmpty();
  }

  @Test
  void driftWithoutAJoinOrRejoinClosesNothing() throws Exception {
    Backend a = backend("a");
    Backend b = backend("b");
    open(a, 100, 0); // b has none: far from even, but nothing rejoined

    runUntil(pool(List.of(a, b), 1000, 10), null, () -> scheduler.runs.get() >= 50);

    assertThat(closed).isEmpty();
  }

  @Test
  void aConnectionYoungerThanTheMinimumAgeIsNeverClosed() throws Exception {
    Backend a = backend("a");
    Backend b = backend("b");
    open(a, 100, System.nanoTime()); // just opened

    runUntil(pool(List.of(a, b), 1000, 10), b, () -> scheduler.runs.get() >= 50);

    assertThat(closed).isEmpty();
  }

  @Test
  void theDefaultConfigurationRebalancesNothing() throws Exception {
    Backend a = backend("a");
    Backend b = backend("b");
    open(a, 100, 0);
    LoadBalancerConfig config =
        new LoadBalancerConfig(
            null,
            0L,
            null,
            Balance.LEAST_CONNECTIONS,
            null,
            null,
            List.of(a.config(), b.config()),
            null,
            null,
            null);
    assertThat(config.rebalance().closesPerSecond()).isZero();
    scheduler.setRemoveOnCancelPolicy(true);
    try (Rebalancer r = new Rebalancer("ns.lb", scheduler)) {
      b.markDown("test: restarting");
      r.update(new BackendPool(config, List.of(a, b), Balancers.of(Balance.LEAST_CONNECTIONS)));
      b.markUp("test: rejoined");
      assertThat(scheduler.getQueue()).as("no rebalancing ticks are scheduled").isEmpty();
    }
    assertThat(closed).isEmpty();
  }

  @Test
  void zeroRateSchedulesNothingAndCloseCancelsTheTicks() {
    scheduler.setRemoveOnCancelPolicy(true);
    List<Backend> set = List.of(backend("a"), backend("b"));
    try (Rebalancer r = new Rebalancer("ns.lb", scheduler)) {
      r.update(pool(set, 0, 10));
      assertThat(scheduler.getQueue()).isEmpty();
      r.update(pool(set, 5, 10));
      assertThat(scheduler.getQueue()).hasSize(1);
    }
    assertThat(scheduler.getQueue()).isEmpty();
  }

  @Test
  void leavesSpreadsWithinToleranceOrNotImprovableAlone() {
    Backend a = backend("a");
    Backend b = backend("b");
    Backend c = backend("c");
    open(a, 100, 0);
    open(b, 100, 0);
    open(c, 92, 0);
    assertThat(Rebalancer.overloaded(List.of(a, b, c), 10)).isNull();
    assertThat(Rebalancer.overloaded(List.of(a, b, c), 5)).isIn(a, b);

    Backend one = backend("one");
    Backend none = backend("none");
    open(one, 1, 0);
    assertThat(Rebalancer.overloaded(List.of(one, none), 10))
        .as("moving the only connection would just swap the imbalance")
        .isNull();
    assertThat(Rebalancer.overloaded(List.of(a), 10)).as("a single backend").isNull();
  }

  /**
   * Rebalances until the condition holds, then stops and waits out any running tick; {@code
   * rejoining} (when not null) is down at the start and comes back after the first tick, as a
   * restarted server does.
   */
  private void runUntil(
      BackendPool pool, Backend rejoining, java.util.concurrent.Callable<Boolean> done)
      throws InterruptedException {
    reconnectTo = pool.backends();
    if (rejoining != null) {
      rejoining.markDown("test: restarting");
    }
    try (Rebalancer r = new Rebalancer("ns.lb", scheduler)) {
      r.update(pool);
      if (rejoining != null) {
        int before = scheduler.runs.get();
        await().atMost(Duration.ofSeconds(30)).until(() -> scheduler.runs.get() > before);
        rejoining.markUp("test: rejoined");
      }
      await().atMost(Duration.ofSeconds(30)).until(done);
    }
    scheduler.shutdown();
    assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private static Backend backend(String name) {
    return new Backend(
        "ns.lb", new BackendConfig(name, "127.0.0.2", 1000 + name.hashCode() % 1000));
  }

  private static BackendPool pool(List<Backend> backends, int rate, int tolerance) {
    LoadBalancerConfig config =
        new LoadBalancerConfig(
            null,
            0L,
            null,
            Balance.LEAST_CONNECTIONS,
            null,
            null,
            backends.stream().map(Backend::config).toList(),
            null,
            new RebalanceConfig(rate, tolerance),
            null);
    return new BackendPool(config, backends, Balancers.of(Balance.LEAST_CONNECTIONS));
  }

  private List<FakeConnection> open(Backend backend, int n, long firstOpenedAt) {
    List<FakeConnection> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new FakeConnection(backend, firstOpenedAt + i));
    }
    return out;
  }

  /** A watch-like client: counted on its backend, and reconnecting at once when closed. */
  private final class FakeConnection implements Connection {
    final Backend backend;
    final long openedAt;
    private boolean gone;

    FakeConnection(Backend backend, long openedAt) {
      this.backend = backend;
      this.openedAt = openedAt;
      backend.connectionOpened(this);
    }

    @Override
    public long openedAtNanos() {
      return openedAt;
    }

    @Override
    public synchronized void close(String reason) {
      if (gone) {
        return;
      }
      gone = true;
      closedAt.add(System.nanoTime());
      closed.add(this);
      backend.connectionClosed(this);
      Backend next = Balancers.of(Balance.LEAST_CONNECTIONS).pick(reconnectTo, null, x -> false);
      new FakeConnection(next, System.nanoTime());
    }
  }

  /** Counts how often the rebalancer's periodic tick has run. */
  private static final class CountingScheduler extends ScheduledThreadPoolExecutor {
    final AtomicInteger runs = new AtomicInteger();

    CountingScheduler() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(
        Runnable command, long initialDelay, long delay, TimeUnit unit) {
      return super.scheduleWithFixedDelay(
          () -> {
            command.run();
            runs.incrementAndGet();
          },
          initialDelay,
          delay,
          unit);
    }
  }
}
