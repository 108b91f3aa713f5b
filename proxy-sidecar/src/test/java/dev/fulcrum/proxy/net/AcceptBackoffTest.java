package dev.fulcrum.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class AcceptBackoffTest {
  private final EmbeddedChannel listener = new EmbeddedChannel();
  private final AcceptBackoff backoff = new AcceptBackoff("ns.lb", 2);

  @Test
  void stopsAcceptingAtTheLimitAndResumesWhenAConnectionCloses() {
    backoff.attach(AcceptBackoff.Gate.of(listener));
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
  void refusesAConnectionAcceptedOverTheLimitWithoutCountingIt() {
    backoff.attach(AcceptBackoff.Gate.of(listener));
    backoff.tryAcquire();
    backoff.tryAcquire();
    assertThat(backoff.tryAcquire()).isFalse();
    assertThat(backoff.active()).isEqualTo(2);
  }

  @Test
  void raisingTheLimitResumesAccepting() {
    backoff.attach(AcceptBackoff.Gate.of(listener));
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
