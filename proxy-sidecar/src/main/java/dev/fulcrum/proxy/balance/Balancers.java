package dev.fulcrum.proxy.balance;

import dev.fulcrum.proxy.api.Balance;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The four balancing strategies. Each considers backends that are up, not draining and not yet
 * tried; when none is up it falls back to the untried ones, so stale health never refuses a client
 * that a backend could serve.
 */
public final class Balancers {
  private Balancers() {}

  /** A fresh balancer for the strategy (round-robin keeps its own position). */
  public static Balancer of(Balance balance) {
    return switch (balance) {
      case ROUND_ROBIN -> new RoundRobin();
      case LEAST_CONNECTIONS -> Balancers::leastConnections;
      case RANDOM -> Balancers::twoRandomChoices;
      case SOURCE_HASH -> Balancers::rendezvous;
    };
  }

  /**
   * The candidates of one pick, without building a list (a pick runs per new connection): the up
   * ones while any is up, otherwise every one not draining. Never the tried ones.
   */
  private record Candidates(List<Backend> backends, Predicate<Backend> tried, boolean upOnly) {
    static Candidates of(List<Backend> backends, Predicate<Backend> tried) {
      for (Backend b : backends) {
        if (b.isUp() && !b.draining() && !tried.test(b)) {
          return new Candidates(backends, tried, true);
        }
      }
      return new Candidates(backends, tried, false);
    }

    boolean includes(Backend b) {
      return (!upOnly || b.isUp()) && !b.draining() && !tried.test(b);
    }

    int count() {
      int n = 0;
      for (Backend b : backends) {
        if (includes(b)) {
          n++;
        }
      }
      return n;
    }

    /** The candidate at {@code index} in list order, {@code 0 <= index < count()}. */
    Backend get(int index) {
      int i = 0;
      for (Backend b : backends) {
        if (includes(b) && i++ == index) {
          return b;
        }
      }
      throw new IndexOutOfBoundsException(index);
    }
  }

  private static final class RoundRobin implements Balancer {
    private final AtomicInteger next = new AtomicInteger();

    @Override
    public Backend pick(List<Backend> backends, InetAddress client, Predicate<Backend> tried) {
      Candidates c = Candidates.of(backends, tried);
      int n = c.count();
      return n == 0 ? null : c.get(Math.floorMod(next.getAndIncrement(), n));
    }
  }

  private static Backend leastConnections(
      List<Backend> backends, InetAddress client, Predicate<Backend> tried) {
    Candidates c = Candidates.of(backends, tried);
    Backend best = null;
    int ties = 0;
    for (Backend b : backends) {
      if (!c.includes(b)) {
        continue;
      }
      if (best == null || b.activeConnections() < best.activeConnections()) {
        best = b;
        ties = 1;
      } else if (b.activeConnections() == best.activeConnections()
          && ThreadLocalRandom.current().nextInt(++ties) == 0) {
        best = b; // reservoir sampling spreads ties evenly instead of favouring the first
      }
    }
    return best;
  }

  private static Backend twoRandomChoices(
      List<Backend> backends, InetAddress client, Predicate<Backend> tried) {
    Candidates c = Candidates.of(backends, tried);
    int n = c.count();
    if (n <= 1) {
      return n == 0 ? null : c.get(0);
    }
    ThreadLocalRandom r = ThreadLocalRandom.current();
    Backend a = c.get(r.nextInt(n));
    Backend b = c.get(r.nextInt(n));
    return b.activeConnections() < a.activeConnections() ? b : a;
  }

  /** Highest-random-weight hashing: a client moves only when its backend goes away. */
  private static Backend rendezvous(
      List<Backend> backends, InetAddress client, Predicate<Backend> tried) {
    Candidates c = Candidates.of(backends, tried);
    long clientHash = hash(client == null ? new byte[0] : client.getAddress());
    Backend best = null;
    long bestWeight = Long.MIN_VALUE;
    for (Backend b : backends) {
      if (!c.includes(b)) {
        continue;
      }
      long w = mix(clientHash ^ b.endpoint().hashCode() * 0x9E3779B97F4A7C15L);
      if (best == null || w > bestWeight) {
        best = b;
        bestWeight = w;
      }
    }
    return best;
  }

  private static long hash(byte[] bytes) {
    long h = 0xCBF29CE484222325L;
    for (byte x : bytes) {
      h = (h ^ (x & 0xff)) * 0x100000001B3L;
    }
    return h;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
