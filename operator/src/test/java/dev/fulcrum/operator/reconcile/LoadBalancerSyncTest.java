package dev.fulcrum.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.operator.LeaderEpoch;
import dev.fulcrum.operator.crd.ExternalLoadBalancer;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import dev.fulcrum.operator.status.Conditions;
import dev.fulcrum.operator.testing.FakeAdminApi;
import dev.fulcrum.operator.testing.Nodes;
import dev.fulcrum.operator.testing.Resources;
import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.testing.TestPki;
import dev.fulcrum.proxy.tls.Pki;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One reconcile's push logic against two admin APIs over real TLS, without Kubernetes. */
class LoadBalancerSyncTest {
  static final String ID = Resources.NAMESPACE + ".k3s-api";
  static final Node S1 = Nodes.server("server-1", "127.0.0.11").build();
  static final Node S2 = Nodes.server("server-2", "127.0.0.12").build();
  static final Node S3 = Nodes.server("server-3", "127.0.0.13").build();

  final Pki.Issued ca = TestPki.authority("test-ca");
  final AtomicLong epoch = new AtomicLong();
  FakeAdminApi lb1;
  FakeAdminApi lb2;
  ExternalLoadBalancer elb;
  Secret secret;

  @BeforeEach
  void start() throws Exception {
    lb1 = new FakeAdminApi("lb-1", "127.0.0.1", ca, SyncFixtures.TOKEN);
    lb2 = new FakeAdminApi("lb-2", "127.0.0.2", ca, SyncFixtures.TOKEN);
    elb = SyncFixtures.onTwoProxies("127.0.0.100/24", lb1, lb2);
    secret = Resources.credentials("s3cret-token", ca.certificatePem());
  }

  @AfterEach
  void stop() {
    lb1.close();
    lb2.close();
  }

  LoadBalancerSync newOperator() {
    return SyncFixtures.operator(epoch::get, Duration.ofMillis(300));
  }

  ExternalLoadBalancerStatus sync(LoadBalancerSync op, Node... nodes) {
    ExternalLoadBalancerStatus s = op.sync(elb, List.of(nodes), secret).status();
    elb.setStatus(s);
    return s;
  }

  static List<String> served(FakeAdminApi api) {
    return api.applied(ID).backends().stream().map(BackendConfig::name).toList();
  }

  static String ready(ExternalLoadBalancerStatus s) {
    var c = Conditions.find(s.conditions, Conditions.READY);
    return c.getStatus() + "/" + c.getReason();
  }

  @Test
  void bothProxiesGetTheFullConfigAndTheStatusIsReady() {
    ExternalLoadBalancerStatus s = sync(newOperator(), S1, S2, S3);
    assertThat(ready(s)).isEqualTo("True/Synced");
    assertThat(served(lb1)).containsExactly("server-1", "server-2", "server-3");
    assertThat(lb2.applied(ID).version()).isEqualTo(s.desiredVersion);
    assertThat(lb2.applied(ID).frontend().priorities())
        .as("every proxy gets the same VRRP priority map")
        .isEqualTo(java.util.Map.of("lb-1", 200, "lb-2", 100));
    assertThat(lb2.applied(ID).frontend().interfaceName()).isEqualTo("lo");
    assertThat(s.proxiesSummary).isEqualTo("2/2");
  }

  @Test
  void restartedOperatorWithProxiesInSyncSendsNoPut() {
    sync(newOperator(), S1, S2, S3);
    int before = lb1.puts() + lb2.puts();
    ExternalLoadBalancerStatus s = sync(newOperator(), S1, S2, S3);
    assertThat(lb1.puts() + lb2.puts()).isEqualTo(before);
    assertThat(ready(s)).isEqualTo("True/Synced");
  }

  @Test
  void aLeavingServerIsPushedAtOnceAndAJoinAfterTheDebounce() {
    LoadBalancerSync op = newOperator();
    sync(op, S1, S2, S3);
    sync(op, S1, S3);
    assertThat(served(lb1)).containsExactly("server-1", "server-3");
    ExternalLoadBalancerStatus waiting = sync(op, S1, S2, S3);
    assertThat(served(lb2)).as("join held back").containsExactly("server-1", "server-3");
    assertThat(Conditions.find(waiting.conditions, "Progressing").getStatus()).isEqualTo("True");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              sync(op, S1, S2, S3);
              assertThat(served(lb2)).containsExactly("server-1", "server-2", "server-3");
            });
  }

  @Test
  void anEmptySetIsNeverPushedAndTheProxiesKeepTheLastOne() {
    LoadBalancerSync op = newOperator();
    sync(op, S1, S2);
    int puts = lb1.puts();
    ExternalLoadBalancerStatus s =
        sync(op, Nodes.server("server-1", "127.0.0.11").ready(false).build());
    assertThat(ready(s)).as("agents still register").isEqualTo("True/Serving");
    assertThat(Conditions.find(s.conditions, Conditions.DEGRADED).getReason())
        .isEqualTo("KeepingLastKnownBackends");
    assertThat(lb1.puts()).isEqualTo(puts);
    assertThat(served(lb1)).containsExactly("server-1", "server-2");
  }

  @Test
  void aPushFromALowerEpochIsRefusedAndTheNewLeadersPushWins() {
    lb1.fence(ID, 5);
    epoch.set(3);
    LoadBalancerSync deposed = newOperator();
    ExternalLoadBalancerStatus fenced = sync(deposed, S1, S2);
    assertThat(ready(fenced)).isEqualTo("False/PushRefused");
    int puts = lb1.puts();
    ExternalLoadBalancerStatus again = sync(deposed, S1, S2);
    assertThat(ready(again)).as("still refused while backing off").isEqualTo("False/PushRefused");
    assertThat(lb1.puts()).as("no retry inside the backoff").isEqualTo(puts);
    assertThat(Conditions.find(fenced.conditions, "Degraded").getMessage())
        .contains("push to lb-1 (" + lb1.endpoint() + ") failed: 409 Conflict");
    assertThat(lb1.applied(ID)).isNull();
    epoch.set(6);
    assertThat(ready(sync(newOperator(), S1, S2))).isEqualTo("True/Synced");
    assertThat(lb1.applied(ID).epoch()).isEqualTo(6L);
  }

  LoadBalancerSync leader(long epochMillis, java.util.function.BooleanSupplier leads) {
    return SyncFixtures.operator(
        new LeaderEpoch(
            Clock.fixed(java.time.Instant.ofEpochMilli(epochMillis), java.time.ZoneOffset.UTC),
            leads),
        Duration.ofMillis(300));
  }

  @Test
  void aLeaderWhoseEpochIsBelowAProxysFenceRaisesPastItAndIsNotLockedOut() {
    // A deleted load balancer keeps its fence, which only a refused push shows; lb-2's status shows
    // it. E.g. an earlier leader's clock was ahead of this one's.
    lb1.fence(ID, 9_000);
    lb2.fence(ID, 9_500);
    LoadBalancerSync op = leader(1_000, () -> true);

    LoadBalancerSync.Outcome first = op.sync(elb, List.of(S1, S2), secret);
    elb.setStatus(first.status());
    assertThat(first.nextCheck())
        .as("refused, it raises its epoch and pushes again at once")
        .isLessThanOrEqualTo(LoadBalancerSync.RAISED_RETRY);
    ExternalLoadBalancerStatus s = sync(op, S1, S2);

    assertThat(ready(s)).isEqualTo("True/Synced");
    assertThat(lb1.applied(ID).epoch()).isGreaterThan(9_500L);
    assertThat(lb2.applied(ID).epoch()).isEqualTo(lb1.applied(ID).epoch());
  }

  @Test
  void anOperatorThatNoLongerLeadsRaisesNothingAndStaysRefused() {
    lb1.fence(ID, 9_000);
    LoadBalancerSync deposed = leader(1_000, () -> false);

    sync(deposed, S1, S2);
    ExternalLoadBalancerStatus s = sync(deposed, S1, S2);

    assertThat(ready(s)).isEqualTo("False/PushRefused");
    assertThat(Conditions.find(s.conditions, "Degraded").getMessage())
        .contains("below the fence of " + ID);
    assertThat(lb1.applied(ID)).isNull();
  }

  @Test
  void aNewLeaderPushesEveryProxyEvenWhenTheVersionsMatchSoTheOldOneIsFencedOut() {
    epoch.set(1_000);
    LoadBalancerSync old = newOperator();
    sync(old, S1, S2);
    int puts1 = lb1.puts();
    int puts2 = lb2.puts();

    assertThat(ready(sync(leader(2_000, () -> true), S1, S2))).isEqualTo("True/Synced");

    assertThat(lb1.puts()).as("PUTs to lb-1").isEqualTo(puts1 + 1);
    assertThat(lb2.puts()).as("PUTs to lb-2").isEqualTo(puts2 + 1);
    assertThat(lb1.applied(ID).epoch()).isEqualTo(2_000L);
    ExternalLoadBalancerStatus late = sync(old, S1, S3);
    assertThat(ready(late))
        .as("the proxies still serve the new leader's set")
        .isEqualTo("True/Serving");
    assertThat(Conditions.find(late.conditions, Conditions.DEGRADED).getReason())
        .as("the old leader's late push")
        .isEqualTo("PushRefused");
    assertThat(served(lb1)).containsExactly("server-1", "server-2");
    assertThat(served(lb2)).containsExactly("server-1", "server-2");
  }

  @Test
  void statusAfterAPushShowsWhatTheProxiesServeThenNotTheReportFromBefore() {
    ExternalLoadBalancerStatus s = sync(newOperator(), S1, S2);

    assertThat(ready(s)).isEqualTo("True/Synced");
    assertThat(s.backendsSummary)
        .as("healthy/total as the proxies report after the push")
        .isEqualTo("2/2");
    assertThat(s.backends)
        .extracting(b -> b.name + "=" + b.health)
        .containsExactly("server-1=Up", "server-2=Up");
  }

  @Test
  void oneProxyDownIsDegradedNamingItWhileTheOtherIsUpdatedAndItResyncsOnReturn() throws Exception {
    LoadBalancerSync op = newOperator();
    sync(op, S1, S2, S3);
    lb2.stop();
    ExternalLoadBalancerStatus s = sync(op, S1, S3);
    assertThat(ready(s)).isEqualTo("False/ProxyUnreachable");
    assertThat(Conditions.find(s.conditions, "Degraded").getMessage())
        .contains("lb-2 (" + lb2.endpoint() + ")");
    assertThat(served(lb1)).containsExactly("server-1", "server-3");
    lb2.start();
    // Asked again within its backoff (1 s after the first failure, then 2 s, 4 s … at most a
    // poll): the operator reconciles at least that often while it is out.
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> ready(sync(op, S1, S3)).equals("True/Synced"));
    assertThat(served(lb2)).containsExactly("server-1", "server-3");
  }

  @Test
  void aWrongTokenIsReportedWithTheProxyAndStatusButNeverTheToken() {
    lb1.token("rotated-token");
    ExternalLoadBalancerStatus s = sync(newOperator(), S1);
    String degraded = Conditions.find(s.conditions, "Degraded").getMessage();
    assertThat(degraded)
        .contains("lb-1 (" + lb1.endpoint() + ") failed: GET " + ID + " 401 Unauthorized");
    assertThat(degraded).doesNotContain("s3cret-token");
    secret = Resources.credentials("rotated-token", ca.certificatePem());
    lb2.token("rotated-token");
    assertThat(ready(sync(newOperator(), S1))).isEqualTo("True/Synced");
  }

  @Test
  void aProxyCertificateFromAnotherCaIsNotTrusted() throws Exception {
    secret = Resources.credentials("s3cret-token", TestPki.authority("other-ca").certificatePem());
    ExternalLoadBalancerStatus s = sync(newOperator(), S1);
    assertThat(ready(s)).isEqualTo("False/ProxyUnreachable");
    assertThat(lb1.puts() + lb2.puts()).isZero();
  }

  @Test
  void serverCertificatesWithoutTheVipAreReportedAndThoseWithItCovered() {
    lb1.tlsSans(List.of("IP:127.0.0.11"));
    lb2.tlsSans(List.of("IP:127.0.0.11"));
    ExternalLoadBalancerStatus s = sync(newOperator(), S1);
    s = sync(newOperator(), S1); // the second look sees the SANs of the applied backends
    assertThat(Conditions.find(s.conditions, "Degraded").getReason())
        .isEqualTo("CertificateMissingSAN");
    assertThat(Conditions.find(s.conditions, "Degraded").getMessage())
        .contains("server-1")
        .contains("tls-san: 127.0.0.100");
    lb1.tlsSans(List.of("IP:127.0.0.11", "IP:127.0.0.100"));
    lb2.tlsSans(List.of("IP:127.0.0.100"));
    s = sync(newOperator(), S1);
    assertThat(s.backends.get(0).certificateCoversAddress).isTrue();
    assertThat(Conditions.find(s.conditions, "Degraded").getStatus()).isEqualTo("False");
  }
}
