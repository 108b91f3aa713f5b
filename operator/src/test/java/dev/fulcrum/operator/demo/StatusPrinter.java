package dev.fulcrum.operator.demo;

import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import dev.fulcrum.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Polls the resource's status and prints one compact line each time it changes. */
final class StatusPrinter implements AutoCloseable {
  private final KubernetesClient client;
  private final String name;
  private final Stopwatch clock;
  private final PrintStream out;
  private final ScheduledExecutorService poller =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "demo-status");
            t.setDaemon(true);
            return t;
          });
  private ExternalLoadBalancerStatus latest;
  private String lastLine = "";

  StatusPrinter(KubernetesClient client, String name, Stopwatch clock, PrintStream out) {
    this.client = client;
    this.name = name;
    this.clock = clock;
    this.out = out;
    poller.scheduleWithFixedDelay(this::poll, 0, 200, TimeUnit.MILLISECONDS);
  }

  private void poll() {
    ExternalLoadBalancer elb;
    try {
      elb =
          client
              .resources(ExternalLoadBalancer.class)
              .inNamespace(DemoApi.NAMESPACE)
              .withName(name)
              .get();
    } catch (RuntimeException e) {
      return; // the API server is going away at shutdown; the next poll (if any) retries
    }
    ExternalLoadBalancerStatus s = elb == null ? null : elb.getStatus();
    synchronized (this) {
      latest = s;
      String line = s == null ? "" : line(s);
      if (!line.isEmpty() && !line.equals(lastLine)) {
        lastLine = line;
        out.println(clock.stamp() + "status  " + line);
      }
      notifyAll();
    }
  }

  /** {@code Ready=True (Synced) backends 3/3 healthy [...] proxies 2/2 synced https://...}. */
  static String line(ExternalLoadBalancerStatus s) {
    Condition ready = Conditions.find(s.conditions, Conditions.READY);
    String servers =
        s.backends.stream()
            .map(
                b -> b.name + ":" + (Boolean.FALSE.equals(b.nodeReady) ? "NodeNotReady" : b.health))
            .collect(Collectors.joining(" ", "[", "]"));
    return String.format(
        "Ready=%s (%s)  backends %s healthy %s  proxies %s synced  %s",
        ready == null ? "?" : ready.getStatus(),
        ready == null ? "-" : ready.getReason(),
        s.backendsSummary,
        servers,
        s.proxiesSummary,
        s.registrationAddress);
  }

  /** Waits until the latest status matches; false after {@code patience}. */
  synchronized boolean await(Predicate<ExternalLoadBalancerStatus> wanted, Duration patience)
      throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    while (latest == null || !wanted.test(latest)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  static boolean ready(ExternalLoadBalancerStatus s) {
    Condition c = Conditions.find(s.conditions, Conditions.READY);
    return c != null && "True".equals(c.getStatus());
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }

  /** Seconds since the demo started, as a line prefix. */
  static final class Stopwatch {
    private final long start = System.nanoTime();

    String stamp() {
      return String.format("[%5.1fs] ", (System.nanoTime() - start) / 1e9);
    }

    double seconds() {
      return (System.nanoTime() - start) / 1e9;
    }
  }
}
