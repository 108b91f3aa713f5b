package dev.fulcrum.proxy.balance;

import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.BackendHealth;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backend's live state: health, counters and open connections. It outlives config swaps that
 * keep its endpoint, so health and connections carry over.
 */
public final class Backend {
  private static final Logger log = LoggerFactory.getLogger(Backend.class);

  private final String loadBalancerId;
  private volatile BackendConfig config; // the name may change; the endpoint never does
  private final String endpoint; // built once: source hashing reads it per new connection
  private final AtomicInteger active = new AtomicInteger();
  private final LongAdder total = new LongAdder();
  private final LongAdder connectFailures = new LongAdder();
  private final LongAdder bytesToBackend = new LongAdder();
  private final LongAdder bytesFromBackend = new LongAdder();
  private final LongAdder transitions = new LongAdder();
  // Guards nothing else: a concurrent set, because connections open and close on many event loops.
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private volatile BackendHealth health = BackendHealth.UP; // what new connections see
  private volatile BackendHealth checked = BackendHealth.UP; // the active checks' verdict alone
  private volatile boolean passivelyDown; // set by failed dials, cleared by passing checks
  private volatile int failedDials; // consecutive; written under this
  private long firstFailedDialNanos; // guarded by this
  private volatile boolean draining;
  private volatile String lastCheckError;
  private volatile boolean everChecked;
  private volatile List<String> tlsSans = List.of();
  private volatile LongConsumer dialLatencyNanos = nanos -> {};
  private final DialPace pace;

  public Backend(String loadBalancerId, BackendConfig config) {
    this(loadBalancerId, config, DialPace.onSystemClock());
  }

  public Backend(String loadBalancerId, BackendConfig config, DialPace pace) {
    this.loadBalancerId = loadBalancerId;
    this.config = config;
    this.endpoint = config.endpoint();
    this.pace = pace;
  }

  /** Its admission pace: new connections a second and dials at once. */
  public DialPace pace() {
    return pace;
  }

  public BackendConfig config() {
    return config;
  }

  /**
   * The same server under another name (a static entry named after its address that a Node now
   * names): health, counters and connections carry over.
   */
  public void renamed(BackendConfig named) {
    if (!named.endpoint().equals(endpoint)) {
      throw new IllegalArgumentException(named.endpoint() + " is not " + endpoint);
    }
    log.info(
        "{} server {} is now named {} (was {})",
        loadBalancerId,
        endpoint,
        named.name(),
        config.name());
    this.config = named;
  }

  public String loadBalancerId() {
    return loadBalancerId;
  }

  public String endpoint() {
    return endpoint;
  }

  /**
   * {@code UP} or {@code DOWN}, what new connections see; {@code Draining} and {@code Unknown} are
   * what the status derives from it and the backend's place in the set.
   */
  public BackendHealth health() {
    return health;
  }

  public boolean isUp() {
    return health == BackendHealth.UP;
  }

  /** The active checks say Up (also ending a passive Down); logs the transition. */
  public void markUp(String why) {
    checked = BackendHealth.UP;
    passivelyDown = false;
    transition(BackendHealth.UP, why);
  }

  /**
   * The active checks say Down: the backend leaves new connections' picks and its connections are
   * closed so clients reconnect elsewhere.
   */
  public void markDown(String why) {
    boolean wasChecked = checked == BackendHealth.DOWN;
    checked = BackendHealth.DOWN;
    transition(BackendHealth.DOWN, why);
    if (!wasChecked) {
      closeAll("backend " + endpoint() + " is down (" + why + ")");
    }
  }

  private boolean transition(BackendHealth to, String why) {
    synchronized (this) {
      BackendHealth from = health;
      if (from == to) {
        return false;
      }
      health = to;
      transitions.increment();
      log.info("{} server {} {}->{} ({})", loadBalancerId, endpoint(), from, to, why);
    }
    if (to == BackendHealth.DOWN) {
      pace.flush(); // clients waiting for their turn here move on to a server that is up
    }
    return true;
  }

  /** Closes every open connection to this backend. */
  public void closeAll(String reason) {
    for (Connection c : connections) {
      c.close(reason);
    }
  }

  public void connectionOpened(Connection c) {
    connections.add(c);
    active.incrementAndGet();
    total.increment();
  }

  public void connectionClosed(Connection c) {
    if (connections.remove(c)) {
      active.decrementAndGet();
    }
  }

  public Set<Connection> connections() {
    return connections;
  }

  public int activeConnections() {
    return active.get();
  }

  public long totalConnections() {
    return total.sum();
  }

  /** Records how long a successful dial took; metrics install the recorder. */
  public void dialed(long nanos) {
    dialLatencyNanos.accept(nanos);
    if (failedDials != 0) { // every new connection passes here: no lock unless a dial failed
      synchronized (this) {
        failedDials = 0;
      }
    }
  }

  /**
   * A failed dial (passive evidence). It alone marks nothing: {@code fall} consecutive failures
   * within {@code fall} check intervals take the backend out of new connections' picks, closing
   * none; only the active checks' Down closes its connections.
   */
  public void dialFailed(String why, int fall, long windowNanos, long nowNanos) {
    connectFailures.increment();
    synchronized (this) {
      if (failedDials == 0 || nowNanos - firstFailedDialNanos > windowNanos) {
        failedDials = 0;
        firstFailedDialNanos = nowNanos;
      }
      if (++failedDials < fall || passivelyDown) {
        return;
      }
      failedDials = 0;
      passivelyDown = true;
    }
    transition(BackendHealth.DOWN, fall + " failed dials in a row, last: " + why);
  }

  /** The active checks' verdict, which rise/fall counts from; failed dials do not change it. */
  public BackendHealth checkedHealth() {
    return checked;
  }

  public boolean passivelyDown() {
    return passivelyDown;
  }

  public void dialLatencyRecorder(LongConsumer recorder) {
    this.dialLatencyNanos = recorder;
  }

  public void connectFailed() {
    connectFailures.increment();
  }

  public long connectFailures() {
    return connectFailures.sum();
  }

  public void addBytesToBackend(long n) {
    bytesToBackend.add(n);
  }

  public void addBytesFromBackend(long n) {
    bytesFromBackend.add(n);
  }

  public long bytesToBackend() {
    return bytesToBackend.sum();
  }

  public long bytesFromBackend() {
    return bytesFromBackend.sum();
  }

  public long transitions() {
    return transitions.sum();
  }

  public boolean draining() {
    return draining;
  }

  /** Removed from its load balancer: no new connection, and none waits for one here. */
  public void startDraining() {
    draining = true;
    pace.flush();
  }

  public String lastCheckError() {
    return lastCheckError;
  }

  /** Called after every active check, passed ({@code null}) or failed. */
  public void lastCheckError(String error) {
    this.lastCheckError = error;
    this.everChecked = true;
  }

  /** Whether any active check has finished yet; until then status says {@code Unknown}. */
  public boolean everChecked() {
    return everChecked;
  }

  public List<String> tlsSans() {
    return tlsSans;
  }

  public void tlsSans(List<String> sans) {
    this.tlsSans = List.copyOf(sans);
  }

  @Override
  public String toString() {
    return config.name() + "(" + endpoint() + ", " + health + ")";
  }
}
