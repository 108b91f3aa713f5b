package dev.fulcrum.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus.BackendState;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus.ProxyState;
import dev.fulcrum.operator.testing.Nodes;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeEventsTest {
  static BackendState backend(String name, Boolean ready) {
    BackendState b = new BackendState();
    b.name = name;
    b.address = "127.0.0.5" + name.charAt(name.length() - 1);
    b.port = 6443;
    b.nodeReady = ready;
    return b;
  }

  static ProxyState proxy(String name, String state) {
    ProxyState p = new ProxyState();
    p.name = name;
    p.state = state;
    return p;
  }

  static ExternalLoadBalancerStatus status(List<BackendState> b, List<ProxyState> p) {
    ExternalLoadBalancerStatus s = new ExternalLoadBalancerStatus();
    s.backends = b;
    s.proxies = p;
    return s;
  }

  @Test
  void joinsLeavesAndProxyStateChangesEachGiveOneEvent() {
    var before =
        status(
            List.of(backend("server-1", true), backend("server-2", true)),
            List.of(proxy("lb-1", "Synced")));
    var after =
        status(
            List.of(backend("server-2", false), backend("server-3", true)),
            List.of(proxy("lb-1", "Unreachable")));
    assertThat(ChangeEvents.between(before, after))
        .extracting(c -> c.type() + " " + c.reason())
        .containsExactlyInAnyOrder(
            "Normal BackendAdded",
            "Normal BackendRemoved",
            "Normal BackendRemoved",
            "Warning ProxyUnreachable");
  }

  @Test
  void anUnchangedStatusGivesNoEvents() {
    var s = status(List.of(backend("server-1", true)), List.of(proxy("lb-1", "Synced")));
    assertThat(ChangeEvents.between(s, s)).isEmpty();
  }

  @Test
  void aHeartbeatOnlyNodeUpdateIsFilteredOutButReadinessIsNot() {
    var n = Nodes.server("server-1", "127.0.0.51");
    assertThat(
            NodeFacts.changed(
                n.heartbeat("2026-01-01T00:01:00Z").build(),
                Nodes.server("server-1", "127.0.0.51").build()))
        .isFalse();
    assertThat(
            NodeFacts.changed(
                Nodes.server("server-1", "127.0.0.51").ready(false).build(),
                Nodes.server("server-1", "127.0.0.51").build()))
        .isTrue();
    assertThat(
            NodeFacts.changed(
                Nodes.server("server-1", "127.0.0.51").label("x", "y").build(),
                Nodes.server("server-1", "127.0.0.51").build()))
        .isTrue();
  }
}
