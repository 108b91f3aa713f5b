package dev.fulcrum.bench;

import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.Balance;
import dev.fulcrum.proxy.balance.Backend;
import dev.fulcrum.proxy.balance.Balancer;
import dev.fulcrum.proxy.balance.Balancers;
import dev.fulcrum.proxy.balance.Connection;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The backend pick per new connection over three up backends, as both data planes call it on a
 * first attempt (nothing tried yet), for every balance mode.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BalancerPickBenchmark {
  @Param({"ROUND_ROBIN", "LEAST_CONNECTIONS", "RANDOM", "SOURCE_HASH"})
  public Balance balance;

  private Balancer balancer;
  private List<Backend> backends;
  private InetAddress client;
  // The dialer's per-client list: empty on the first attempt, passed as tried::contains.
  private final List<Backend> tried = new ArrayList<>(2);
  private final Connection connection = new IdleConnection();

  @Setup
  public void setUp() throws UnknownHostException {
    balancer = Balancers.of(balance);
    backends = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      backends.add(
          new Backend(PushWork.ID, new BackendConfig("server-" + i, "127.0.0.1" + i, 6443)));
    }
    backends = List.copyOf(backends); // BackendPool holds an immutable copy
    // Near-even counts with a tie, as a balanced pool has: least-connections samples the tie.
    int[] open = {40, 40, 41};
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < open[i]; j++) {
        backends.get(i).connectionOpened(new IdleConnection());
      }
    }
    client = InetAddress.getByAddress(new byte[] {10, 42, 0, 7});
  }

  /** The pick alone. */
  @Benchmark
  public Backend pick() {
    return balancer.pick(backends, client, tried::contains);
  }

  /** The pick plus the bookkeeping each proxied connection adds to and removes from its backend. */
  @Benchmark
  public Backend pickOpenClose() {
    Backend b = balancer.pick(backends, client, tried::contains);
    b.connectionOpened(connection);
    b.connectionClosed(connection);
    return b;
  }

  private static final class IdleConnection implements Connection {
    @Override
    public long openedAtNanos() {
      return 0;
    }

    @Override
    public void close(String reason) {}
  }
}
