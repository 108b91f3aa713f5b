package dev.fulcrum.operator.push;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one proxy's change stream open: it reconnects after every end (at once after a planned one,
 * backing off to {@link #MAX_RETRY} while the proxy cannot be reached), ends a stream that says
 * nothing for {@link #SILENCE} (the proxy sends a heartbeat a second), and tells its listener when
 * what the proxy reports changed or when the proxy became reachable or unreachable.
 */
public final class ProxyWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProxyWatch.class);

  /** A stream without a line this long is taken for a proxy that is gone. */
  public static final Duration SILENCE = Duration.ofSeconds(3);

  static final Duration FIRST_RETRY = Duration.ofMillis(500);
  static final Duration MAX_RETRY = Duration.ofSeconds(10);

  /** Told on the watch's threads; quick and non-blocking. */
  public interface Listener {
    /**
     * @param reachable whether the stream is up
     * @param why for a proxy that became unreachable, the cause in plain words
     */
    void changed(boolean reachable, String why);
  }

  private final ProxyClient client;
  private final ProxyTarget proxy;
  private final ProxyCredentials creds;
  private final ScheduledExecutorService timer;
  private final Listener listener;
  private final Duration silence;

  // Guarded by this.
  private ProxyClient.Watching open;
  private long opened; // the stream's generation, so a late callback of an old one is ignored
  private long endedGeneration; // the last stream that ended
  private long lastWordNanos;
  private String revision;
  private Boolean reachable; // null until the first answer or failure
  private int failures;
  private boolean closed;
  private ScheduledFuture<?> watchdog;

  public ProxyWatch(
      ProxyClient client,
      ProxyTarget proxy,
      ProxyCredentials creds,
      ScheduledExecutorService timer,
      Listener listener) {
    this(client, proxy, creds, timer, listener, SILENCE);
  }

  ProxyWatch(
      ProxyClient client,
      ProxyTarget proxy,
      ProxyCredentials creds,
      ScheduledExecutorService timer,
      Listener listener,
      Duration silence) {
    this.client = client;
    this.proxy = proxy;
    this.creds = creds;
    this.timer = timer;
    this.listener = listener;
    this.silence = silence;
  }

  public ProxyWatch start() {
    long period = Math.max(100, silence.toMillis() / 6);
    synchronized (this) {
      watchdog =
          timer.scheduleAtFixedRate(this::checkSilence, period, period, TimeUnit.MILLISECONDS);
    }
    connect();
    return this;
  }

  /** The last revision the stream announced; null before the first. */
  public synchronized String revision() {
    return revision;
  }

  /** Whether the stream is up now; null before the first answer or failure. */
  public synchronized Boolean reachable() {
    return reachable;
  }

  /** Opens a new stream; never holding this lock while the client calls back. */
  private void connect() {
    long generation;
    synchronized (this) {
      if (closed) {
        return;
      }
      generation = ++opened;
      lastWordNanos = System.nanoTime();
    }
    ProxyClient.Watching w =
        client.watch(proxy, creds, rev -> heard(generation, rev), why -> ended(generation, why));
    boolean stale;
    synchronized (this) {
      stale = closed || generation != opened || endedGeneration == generation;
      if (!stale) {
        open = w;
      }
    }
    if (stale) {
      w.cancel("no longer watched");
    }
  }

  private void heard(long generation, String rev) {
    boolean tell;
    synchronized (this) {
      if (closed || generation != opened) {
        return;
      }
      lastWordNanos = System.nanoTime();
      failures = 0;
      tell = !Boolean.TRUE.equals(reachable) || !rev.equals(revision);
      if (!Boolean.TRUE.equals(reachable)) {
        log.info("watching {} ({})", proxy.name(), proxy.endpoint());
      }
      reachable = true;
      revision = rev;
    }
    if (tell) {
      listener.changed(true, null);
    }
  }

  private void ended(long generation, String why) {
    boolean tell;
    Duration again;
    synchronized (this) {
      if (closed || generation != opened) {
        return;
      }
      open = null;
      endedGeneration = generation;
      if (why == null) { // the proxy's planned end of a stream: a new one at once
        again = Duration.ZERO;
        tell = false;
      } else {
        failures++;
        long millis = FIRST_RETRY.toMillis() << Math.min(failures - 1, 10);
        again = Duration.ofMillis(Math.min(millis, MAX_RETRY.toMillis()));
        tell = !Boolean.FALSE.equals(reachable);
        if (tell) {
          log.warn("{}; watching again in {} ms", why, again.toMillis());
        }
        reachable = false;
      }
      timer.schedule(this::connect, again.toMillis(), TimeUnit.MILLISECONDS);
    }
    if (tell) {
      listener.changed(false, why);
    }
  }

  private void checkSilence() {
    ProxyClient.Watching silent;
    synchronized (this) {
      if (closed || open == null || System.nanoTime() - lastWordNanos < silence.toNanos()) {
        return;
      }
      silent = open;
    }
    silent.cancel("no word from it for " + silence.toMillis() + " ms");
  }

  @Override
  public void close() {
    ProxyClient.Watching was;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      was = open;
      open = null;
      if (watchdog != null) {
        watchdog.cancel(false);
      }
    }
    if (was != null) {
      was.cancel("no longer watched");
    }
  }
}
