package dev.fulcrum.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.operator.crd.BackendsSpec;
import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec;
import dev.fulcrum.operator.crd.FrontendSpec;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.proxy.api.BackendConfig;
import io.fabric8.kubernetes.api.model.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackendSelectionTest {
  static final Node S1 = Nodes.server("server-1", "127.0.0.51").build();
  static final Node S2 = Nodes.server("server-2", "127.0.0.52").build();
  static final Node S3 = Nodes.server("server-3", "127.0.0.50").build();

  static BackendsSpec spec() {
    return new BackendsSpec();
  }

  static List<String> endpoints(BackendSelection s) {
    return s.backends().stream().map(BackendConfig::endpoint).toList();
  }

  @Test
  void readyServersBecomeBackendsSortedByAddressOnTheDefaultPort() {
    BackendSelection s = BackendSelection.select(List.of(S1, S2, S3), spec());
    assertThat(endpoints(s))
        .containsExactly("127.0.0.50:6443", "127.0.0.51:6443", "127.0.0.52:6443");
    assertThat(s.backends().get(0).name()).isEqualTo("server-3");
    assertThat(s.enough()).isTrue();
  }

  @Test
  void notReadyServerIsNotPushedButStaysVisibleAsACandidate() {
    Node down = Nodes.server("server-2", "127.0.0.52").ready(false).build();
    BackendSelection s = BackendSelection.select(List.of(S1, down), spec());
    assertThat(endpoints(s)).containsExactly("127.0.0.51:6443");
    assertThat(s.candidates())
        .extracting(c -> c.backend().name() + "=" + c.nodeReady())
        .containsExactly("server-1=true", "server-2=false");
  }

  @Test
  void nodeBeingDeletedIsNotABackend() {
    Node leaving = Nodes.server("server-2", "127.0.0.52").deleting().build();
    assertThat(endpoints(BackendSelection.select(List.of(S1, leaving), spec())))
        .containsExactly("127.0.0.51:6443");
  }

  @Test
  void excludeFromExternalLoadBalancersLabelRemovesAServerWhateverItsValue() {
    Node excluded =
        Nodes.server("server-2", "127.0.0.52").label(BackendSelection.EXCLUDE_LABEL, "").build();
    BackendSelection s = BackendSelection.select(List.of(S1, excluded), spec());
    assertThat(endpoints(s)).containsExactly("127.0.0.51:6443");
    assertThat(s.candidates()).hasSize(1);
  }

  @Test
  void defaultSelectorTakesApiServersButNotAgentsOrEtcdOnlyServers() {
    List<Node> nodes =
        List.of(
            S1,
            Nodes.agent("agent-1", "127.0.0.60").build(),
            Nodes.etcdOnly("etcd-1", "127.0.0.61").build());
    assertThat(endpoints(BackendSelection.select(nodes, spec())))
        .containsExactly("127.0.0.51:6443");
  }

  @Test
  void customNodeSelectorMatchesEveryLabelExactly() {
    BackendsSpec b = spec();
    b.nodeSelector = Map.of("pool", "api", "zone", "a");
    Node both = Nodes.agent("a1", "127.0.0.70").label("pool", "api").label("zone", "a").build();
    Node oneLabel = Nodes.agent("a2", "127.0.0.71").label("pool", "api").build();
    Node wrongValue =
        Nodes.agent("a3", "127.0.0.72").label("pool", "api").label("zone", "b").build();
    assertThat(endpoints(BackendSelection.select(List.of(both, oneLabel, wrongValue, S1), b)))
        .containsExactly("127.0.0.70:6443");
  }

  @Test
  void addressTypeExternalIpPicksTheExternalAddressAndSkipsNodesWithoutOne() {
    BackendsSpec b = spec();
    b.addressType = BackendsSpec.AddressType.ExternalIP;
    Node withExternal =
        Nodes.server("server-1", "127.0.0.51").address("ExternalIP", "203.0.113.7").build();
    BackendSelection s = BackendSelection.select(List.of(withExternal, S2), b);
    assertThat(endpoints(s)).containsExactly("203.0.113.7:6443");
  }

  @Test
  void ipv6NodeAddressAndStaticIpv6EndpointAreBracketedEndpoints() {
    BackendsSpec b = spec();
    b.staticEndpoints = List.of("[fd00::9]:7443");
    assertThat(endpoints(BackendSelection.select(List.of(), b))).containsExactly("[fd00::9]:7443");
    Node v6 = Nodes.server("server-6", "fd00::6").build();
    BackendSelection s = BackendSelection.select(List.of(v6), b);
    assertThat(endpoints(s)).containsExactly("[fd00::6]:6443");
    assertThat(s.backends().get(0).address()).isEqualTo("fd00::6");
  }

  @Test
  void staticEndpointsServeUntilAServerNodeExistsAndDeduplicate() {
    BackendsSpec b = spec();
    b.staticEndpoints = List.of("127.0.0.51:6443", "127.0.0.90:6443", "127.0.0.90:6443");

    assertThat(BackendSelection.select(List.of(), b).backends())
        .as("bootstrap: no server Node yet")
        .extracting(BackendConfig::name)
        .containsExactly("127.0.0.51:6443", "127.0.0.90:6443");
    assertThat(BackendSelection.select(List.of(S1), b).backends())
        .as("a server Node registered: static entries are done")
        .extracting(BackendConfig::name)
        .containsExactly("server-1");
  }

  @Test
  void anEntryServedAsStaticStaysUntilANodeRegistersForItsAddress() {
    BackendsSpec b = spec();
    b.staticEndpoints = List.of("127.0.0.51:6443", "127.0.0.52:6443", "127.0.0.99:6443");
    Set<String> served = Set.of("127.0.0.51:6443", "127.0.0.52:6443");

    // server-1 registered first; server-2's static entry is still served and keeps its sessions.
    assertThat(BackendSelection.select(List.of(S1), b, served).backends())
        .extracting(BackendConfig::name)
        .containsExactly("server-1", "127.0.0.52:6443");
    assertThat(BackendSelection.select(List.of(S1, S2), b, served).backends())
        .extracting(BackendConfig::name)
        .as("an entry added after the bootstrap (127.0.0.99) is never served")
        .containsExactly("server-1", "server-2");
  }

  @Test
  void aDeletedNodeWhoseAddressIsStaticIsNotServedAgain() {
    BackendsSpec b = spec();
    b.staticEndpoints = List.of("127.0.0.51:6443", "127.0.0.52:6443", "127.0.0.50:6443");
    assertThat(endpoints(BackendSelection.select(List.of(S1, S2, S3), b)))
        .containsExactly("127.0.0.50:6443", "127.0.0.51:6443", "127.0.0.52:6443");

    // kubectl delete node server-2
    assertThat(endpoints(BackendSelection.select(List.of(S1, S3), b)))
        .containsExactly("127.0.0.50:6443", "127.0.0.51:6443");
  }

  @Test
  void aNotReadyServerNodeAlsoEndsTheBootstrapAndNothingIsPushedUntilItIsReady() {
    BackendsSpec b = spec();
    b.staticEndpoints = List.of("127.0.0.90:6443");
    Node booting = Nodes.server("server-1", "127.0.0.51").ready(false).build();

    BackendSelection s = BackendSelection.select(List.of(booting), b);

    assertThat(s.backends()).isEmpty();
    assertThat(s.enough()).as("the proxies keep the last set they were pushed").isFalse();
  }

  @Test
  void aServerWithoutAnAddressOfTheTypeIsSkippedWithTheReason() {
    BackendsSpec b = spec();
    b.addressType = BackendsSpec.AddressType.ExternalIP;
    Node external =
        Nodes.server("server-1", "127.0.0.51").address("ExternalIP", "127.0.0.61").build();

    BackendSelection s = BackendSelection.select(List.of(external, S2), b);

    assertThat(endpoints(s)).containsExactly("127.0.0.61:6443");
    assertThat(s.skipped())
        .containsExactly(
            new BackendSelection.Skipped(
                "server-2",
                "no ExternalIP address (spec.backends.addressType); it has InternalIP; K3s sets one"
                    + " with --node-external-ip"));
  }

  @Test
  void customPortAppliesToEveryNode() {
    BackendsSpec b = spec();
    b.port = 16443;
    assertThat(endpoints(BackendSelection.select(List.of(S1), b)))
        .containsExactly("127.0.0.51:16443");
  }

  @Test
  void fewerReadyServersThanMinBackendsIsNotEnoughAndAnEmptySetNeverIs() {
    BackendsSpec b = spec();
    b.minBackends = 2;
    assertThat(BackendSelection.select(List.of(S1), b).enough()).isFalse();
    assertThat(BackendSelection.select(List.of(S1, S2), b).enough()).isTrue();
    BackendsSpec zero = spec();
    zero.minBackends = 0;
    assertThat(BackendSelection.select(List.of(), zero).enough()).isFalse();
  }

  @Test
  void contentVersionIgnoresNodeOrderAndChangesWithTheSet() {
    ExternalLoadBalancerSpec spec = new ExternalLoadBalancerSpec();
    spec.frontend = new FrontendSpec();
    spec.frontend.port = 6443;
    List<Node> forward = List.of(S1, S2, S3);
    List<Node> backward = new ArrayList<>(forward);
    java.util.Collections.reverse(backward);
    String v1 = version(spec, forward);
    assertThat(version(spec, backward)).isEqualTo(v1).startsWith("sha256:");
    assertThat(version(spec, List.of(S1, S2))).isNotEqualTo(v1);
  }

  @Test
  void heartbeatOnlyDifferenceGivesTheSameSelection() {
    Node later = Nodes.server("server-1", "127.0.0.51").heartbeat("2026-01-01T00:00:40Z").build();
    assertThat(BackendSelection.select(List.of(later), spec()))
        .isEqualTo(BackendSelection.select(List.of(S1), spec()));
  }

  private static String version(ExternalLoadBalancerSpec spec, List<Node> nodes) {
    return SpecMapping.toConfig(spec, BackendSelection.select(nodes, spec()).backends(), 0)
        .version();
  }
}
