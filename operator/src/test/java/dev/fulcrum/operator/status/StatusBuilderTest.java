package dev.fulcrum.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import dev.fulcrum.operator.crd.FrontendSpec;
import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.desired.BackendSelection;
import dev.fulcrum.operator.push.Observation;
import dev.fulcrum.operator.push.PushResult;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.proxy.api.BackendHealth;
import dev.fulcrum.proxy.api.BackendStatus;
import dev.fulcrum.proxy.api.LoadBalancerStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusBuilderTest {
  static final String V = "sha256:aaaa";
  static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  static final Instant T1 = Instant.parse("2026-11-27T10:05:00Z");
  static final List<String> VIP_SANS = List.of("IP:127.0.0.100", "DNS:server");

  static ExternalLoadBalancerSpec spec() {
    ExternalLoadBalancerSpec s = new ExternalLoadBalancerSpec();
    s.frontend = new FrontendSpec();
    s.frontend.port = 6443;
    s.frontend.virtualIP = "127.0.0.100/24";
    s.proxies =
        List.of(
            new ProxySpec("lb-1", "https://127.0.0.98:9443", 200),
            new ProxySpec("lb-2", "https://127.0.0.99:9443", 100));
    return s;
  }

  static BackendSelection twoServers() {
    return BackendSelection.select(
        List.of(
            Nodes.server("server-1", "127.0.0.51").build(),
            Nodes.server("server-2", "127.0.0.52").build()),
        null);
  }

  static Observation synced(String proxy, String version, List<String> sans, Boolean vip) {
    List<BackendStatus> backends =
        List.of(
            new BackendStatus("server-1", "127.0.0.51", 6443, BackendHealth.UP, 3, 10, null, sans),
            new BackendStatus("server-2", "127.0.0.52", 6443, BackendHealth.UP, 2, 8, null, sans));
    LoadBalancerStatus lb =
        new LoadBalancerStatus("ns.lb", version, 0, true, "0.0.0.0:6443", null, 5, backends);
    return new Observation(proxy, "https://" + proxy, lb, vip, null);
  }

  static SyncFacts facts(List<Observation> seen, Map<String, PushResult> pushes, boolean pending) {
    return new SyncFacts(
        7, Intent.of(spec()), List.of(), null, twoServers(), V, seen, pushes, pending);
  }

  static Condition cond(ExternalLoadBalancerStatus s, String type) {
    return Conditions.find(s.conditions, type);
  }

  @Test
  void everyProxyServingTheDesiredVersionIsReadySyncedAndNotDegraded() {
    ExternalLoadBalancerStatus s =
        StatusBuilder.build(
            null,
            facts(
                List.of(synced("lb-1", V, VIP_SANS, true), synced("lb-2", V, VIP_SANS, false)),
                Map.of(),
                false),
            T0);
    assertThat(cond(s, "Ready").getStatus()).isEqualTo("True");
    assertThat(cond(s, "Ready").getReason()).isEqualTo("Synced");
    assertThat(cond(s, "Progressing").getStatus()).isEqualTo("False");
    assertThat(cond(s, "Degraded").getStatus()).isEqualTo("False");
    assertThat(s.conditions).allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(7L));
    assertThat(s.backendsSummary).isEqualTo("2/2");
    assertThat(s.proxiesSummary).isEqualTo("2/2");
    assertThat(s.registrationAddress).isEqualTo("https://127.0.0.100:6443");
    assertThat(s.proxies).extracting(p -> p.vipHolder).containsExactly(true, false);
    assertThat(s.backends).allSatisfy(b -> assertThat(b.certificateCoversAddress).isTrue());
  }

  @Test
  void lastTransitionTimeMovesOnlyWhenTheConditionStatusFlips() {
    SyncFacts ok =
        facts(
            List.of(synced("lb-1", V, null, true), synced("lb-2", V, null, false)),
            Map.of(),
            false);
    ExternalLoadBalancerStatus first = StatusBuilder.build(null, ok, T0);
    ExternalLoadBalancerStatus again = StatusBuilder.build(first, ok, T1);
    assertThat(cond(again, "Ready").getLastTransitionTime()).isEqualTo("2026-11-27T10:00:00Z");

    SyncFacts down =
        facts(
            List.of(
                synced("lb-1", V, null, true),
                new Observation(
                    "lb-2", "https://lb-2", null, null, "query of lb-2 failed: refused")),
            Map.of(),
            false);
    ExternalLoadBalancerStatus flipped = StatusBuilder.build(again, down, T1);
    assertThat(cond(flipped, "Ready").getLastTransitionTime()).isEqualTo("2026-11-27T10:05:00Z");
  }

  @Test
  void oneUnreachableProxyIsDegradedProxyUnreachableNamingItAndNotReady() {
    Observation gone =
        new Observation(
            "lb-2",
            "https://127.0.0.99:9443",
            null,
            null,
            "query of lb-2 (https://127.0.0.99:9443) failed: ConnectException");
    ExternalLoadBalancerStatus s =
        StatusBuilder.build(
            null, facts(List.of(synced("lb-1", V, null, true), gone), Map.of(), false), T0);
    assertThat(cond(s, "Ready").getReason()).isEqualTo("ProxyUnreachable");
    assertThat(cond(s, "Degraded").getStatus()).isEqualTo("True");
    assertThat(cond(s, "Degraded").getMessage()).contains("lb-2 (https://127.0.0.99:9443)");
    assertThat(s.proxiesSummary).isEqualTo("1/2");
  }

  @Test
  void serverCertificateWithoutTheVipIsCertificateMissingSanWithTheTlsSanLine() {
    List<String> noVip = List.of("IP:127.0.0.51", "DNS:localhost");
    ExternalLoadBalancerStatus s =
        StatusBuilder.build(
            null,
            facts(
                List.of(synced("lb-1", V, noVip, true), synced("lb-2", V, noVip, false)),
                Map.of(),
                false),
            T0);
    assertThat(cond(s, "Degraded").getReason()).isEqualTo("CertificateMissingSAN");
    assertThat(cond(s, "Degraded").getMessage())
        .contains("server server-1 (127.0.0.51)")
        .contains("\"tls-san: 127.0.0.100\"")
        .contains("/etc/rancher/k3s/config.yaml");
    assertThat(cond(s, "Ready").getStatus()).as("traffic still flows").isEqualTo("True");
    assertThat(s.backends).allSatisfy(b -> assertThat(b.certificateCoversAddress).isFalse());
  }

  @Test
  void tooFewReadyServersKeepsTheLastKnownBackendsAndThePreviousDesiredVersion() {
    ExternalLoadBalancerStatus before = new ExternalLoadBalancerStatus();
    before.desiredVersion = "sha256:previous";
    BackendSelection none =
        BackendSelection.select(
            List.of(Nodes.server("server-1", "127.0.0.51").ready(false).build()), null);
    SyncFacts f =
        new SyncFacts(
            3,
            Intent.of(spec()),
            List.of(),
            null,
            none,
            null,
            List.of(
                synced("lb-1", "sha256:previous", null, true),
                synced("lb-2", "sha256:previous", null, false)),
            Map.of(),
            false);
    ExternalLoadBalancerStatus s = StatusBuilder.build(before, f, T0);
    assertThat(cond(s, "Ready").getStatus()).as("the proxies still serve").isEqualTo("True");
    assertThat(cond(s, "Ready").getReason()).isEqualTo("Serving");
    assertThat(cond(s, "Ready").getMessage()).contains("fewer than minBackends");
    assertThat(cond(s, "Degraded").getReason()).isEqualTo("KeepingLastKnownBackends");
    assertThat(s.desiredVersion).isEqualTo("sha256:previous");
  }

  @Test
  void aPendingJoinIsProgressingWhileReadyStaysTrue() {
    ExternalLoadBalancerStatus s =
        StatusBuilder.build(
            null,
            facts(
                List.of(
                    synced("lb-1", "sha256:old", null, true),
                    synced("lb-2", "sha256:old", null, false)),
                Map.of(),
                true),
            T0);
    assertThat(cond(s, "Progressing").getStatus()).isEqualTo("True");
    assertThat(cond(s, "Progressing").getReason()).isEqualTo("Pushing");
    assertThat(cond(s, "Ready").getStatus()).isEqualTo("True");
    assertThat(cond(s, "Ready").getReason()).isEqualTo("Serving");
    assertThat(cond(s, "Degraded").getStatus()).isEqualTo("False");
  }

  @Test
  void aRefusedPushIsDegradedWithTheProxysAnswerWhileItStillServes() {
    String why =
        "push to lb-2 (https://127.0.0.99:9443) failed: 409 Conflict (epoch 1 is lower than the highest seen (4))";
    ExternalLoadBalancerStatus s =
        StatusBuilder.build(
            null,
            facts(
                List.of(synced("lb-1", V, null, true), synced("lb-2", "sha256:old", null, false)),
                Map.of("lb-2", new PushResult("lb-2", 409, "sha256:old", why)),
                false),
            T0);
    assertThat(cond(s, "Ready").getStatus()).isEqualTo("True");
    assertThat(cond(s, "Progressing").getStatus()).as("stuck, not moving").isEqualTo("False");
    assertThat(cond(s, "Progressing").getReason()).isEqualTo("PushRefused");
    assertThat(cond(s, "Degraded").getReason()).isEqualTo("PushRefused");
    assertThat(cond(s, "Degraded").getMessage()).contains("409 Conflict").contains("lb-2");
    assertThat(s.proxies.get(1).state).isEqualTo("Refused");
  }

  @Test
  void aRoutinePushInFlightLeavesReadyTrueAndShowsAsProgressing() {
    ExternalLoadBalancerStatus before =
        StatusBuilder.build(
            null,
            facts(
                List.of(synced("lb-1", V, null, true), synced("lb-2", V, null, false)),
                Map.of(),
                false),
            T0);
    SyncFacts pushing =
        new SyncFacts(
            8,
            Intent.of(spec()),
            List.of(),
            null,
            twoServers(),
            "sha256:next",
            List.of(synced("lb-1", "sha256:next", null, true), synced("lb-2", V, null, false)),
            Map.of(),
            false);
    ExternalLoadBalancerStatus s = StatusBuilder.build(before, pushing, T1);
    assertThat(cond(s, "Ready").getStatus()).isEqualTo("True");
    assertThat(cond(s, "Ready").getLastTransitionTime())
        .as("Ready did not flip")
        .isEqualTo(cond(before, "Ready").getLastTransitionTime());
    assertThat(cond(s, "Progressing").getStatus()).isEqualTo("True");
    assertThat(cond(s, "Progressing").getMessage()).isEqualTo("1 of 2 proxies serve sha256:next");
  }

  @Test
  void aProxyWhoseChecksFindNoServerUpIsNotReadyNoServerUpSayingWhy() {
    List<BackendStatus> none =
        List.of(
            new BackendStatus(
                "server-1",
                "127.0.0.51",
                6443,
                BackendHealth.DOWN,
                0,
                0,
                "connection refused",
                null),
            new BackendStatus(
                "server-2", "127.0.0.52", 6443, BackendHealth.UNKNOWN, 0, 0, null, null));
    Observation lb2 =
        new Observation(
            "lb-2",
            "https://lb-2",
            new LoadBalancerStatus("ns.lb", V, 0, true, "0.0.0.0:6443", null, 0, none),
            false,
            null);
    ExternalLoadBalancerStatus s =
        StatusBuilder.build(
            null, facts(List.of(synced("lb-1", V, null, true), lb2), Map.of(), false), T0);
    assertThat(cond(s, "Ready").getStatus()).isEqualTo("False");
    assertThat(cond(s, "Ready").getReason()).isEqualTo("NoServerUp");
    assertThat(cond(s, "Ready").getMessage())
        .isEqualTo(
            "lb-2 serves 2 servers and its health checks find none Up: server-1 Down (connection"
                + " refused), server-2 Unknown");
  }

  @Test
  void aProxyThatServesNothingYetIsNotReadyPushing() {
    Observation fresh = new Observation("lb-2", "https://lb-2", null, false, null);
    ExternalLoadBalancerStatus s =
        StatusBuilder.build(
            null, facts(List.of(synced("lb-1", V, null, true), fresh), Map.of(), false), T0);
    assertThat(cond(s, "Ready").getStatus()).isEqualTo("False");
    assertThat(cond(s, "Ready").getReason()).isEqualTo("Pushing");
    assertThat(cond(s, "Ready").getMessage())
        .isEqualTo("lb-2 does not serve this load balancer yet");
    assertThat(cond(s, "Progressing").getStatus()).isEqualTo("True");
  }

  @Test
  void invalidSpecNamesTheFieldInEveryCondition() {
    ExternalLoadBalancerStatus s =
        StatusBuilder.build(
            null,
            SyncFacts.invalid(
                2,
                Intent.of(spec()),
                List.of("spec.frontend.port: must be between 1 and 65535 (got 0)")),
            T0);
    assertThat(s.conditions)
        .extracting(Condition::getReason)
        .containsExactly("InvalidSpec", "InvalidSpec", "InvalidSpec");
    assertThat(cond(s, "Ready").getMessage()).startsWith("spec.frontend.port");
  }

  @Test
  void aProxyThatCallsItselfByAnotherNameIsDegradedSayingSoWithoutBlockingReady() {
    Observation misnamed =
        new Observation(
            "lb-2",
            "https://127.0.0.99:9443",
            synced("lb-2", V, VIP_SANS, false).loadBalancer(),
            false,
            null,
            "lb-1");
    ExternalLoadBalancerStatus s =
        StatusBuilder.build(
            null, facts(List.of(synced("lb-1", V, VIP_SANS, true), misnamed), Map.of(), false), T0);

    assertThat(cond(s, "Ready").getStatus()).isEqualTo("True");
    assertThat(cond(s, "Degraded").getReason()).isEqualTo("ProxyNameMismatch");
    assertThat(cond(s, "Degraded").getMessage())
        .isEqualTo(
            "the proxy at https://127.0.0.99:9443 calls itself lb-1 (name in its proxy.yaml) but"
                + " spec.proxies names it lb-2; it takes its VRRP priority by its own name, so make"
                + " the two agree");
  }

  @Test
  void aProxyWhoseVipHandOffDidNotReachKeepalivedIsDegradedNamingItWithoutBlockingReady() {
    Observation lb2 = synced("lb-2", V, VIP_SANS, false);
    Observation refused =
        new Observation(
            lb2.proxy(),
            lb2.endpoint(),
            lb2.loadBalancer(),
            false,
            null,
            "lb-2",
            null,
            "fulcrum-keepalived refused the VRRP instances, keepalived keeps its previous config:"
                + " x");
    ExternalLoadBalancerStatus s =
        StatusBuilder.build(
            null, facts(List.of(synced("lb-1", V, VIP_SANS, true), refused), Map.of(), false), T0);

    assertThat(cond(s, "Ready").getStatus()).isEqualTo("True");
    assertThat(cond(s, "Degraded").getReason()).isEqualTo("KeepalivedFailed");
    assertThat(cond(s, "Degraded").getMessage())
        .isEqualTo(
            "lb-2: fulcrum-keepalived refused the VRRP instances, keepalived keeps its previous"
                + " config: x");
  }

  @Test
  void skippedServerNodesAreListedWithTheirReason() {
    ExternalLoadBalancerSpec spec = spec();
    spec.backends = new dev.fulcrum.operator.crd.BackendsSpec();
    spec.backends.addressType = dev.fulcrum.operator.crd.BackendsSpec.AddressType.ExternalIP;
    BackendSelection selection =
        BackendSelection.select(
            List.of(Nodes.server("server-1", "127.0.0.51").build()), spec.backends);
    SyncFacts f =
        new SyncFacts(
            7, Intent.of(spec), List.of(), null, selection, null, List.of(), Map.of(), false);

    ExternalLoadBalancerStatus s = StatusBuilder.build(null, f, T0);

    assertThat(s.skippedNodes)
        .extracting(n -> n.name + ": " + n.reason)
        .containsExactly(
            "server-1: no ExternalIP address (spec.backends.addressType); it has InternalIP; K3s"
                + " sets one with --node-external-ip");
  }
}
