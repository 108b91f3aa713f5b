package dev.fulcrum.proxy.admin;

import static dev.fulcrum.proxy.admin.AdminHarness.TOKEN;
import static dev.fulcrum.proxy.admin.AdminHarness.greeting;
import static dev.fulcrum.proxy.admin.AdminHarness.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.api.WireJson;
import dev.fulcrum.proxy.net.ListenAddress;
import dev.fulcrum.proxy.store.StateStore;
import dev.fulcrum.proxy.testing.AdminRequests;
import dev.fulcrum.proxy.testing.EchoBackend;
import dev.fulcrum.proxy.testing.TestConfigs;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminApiTest {
  private static final String ID = "fulcrum-system.k3s-api";

  @TempDir Path dir;
  private AdminHarness h;
  private EchoBackend a;
  private EchoBackend b;
  private int port;
  private LoadBalancerConfig toA;
  private LoadBalancerConfig toB;
  private String appliedBefore;
  private byte[] stateBefore;

  @BeforeEach
  void serveBackendA() throws Exception {
    h = new AdminHarness(dir, () -> true);
    a = EchoBackend.start("a", "127.0.0.1");
    b = EchoBackend.start("b", "127.0.0.1");
    port = TestConfigs.freePort();
    toA = TestConfigs.config(port, 5, a);
    toB = TestConfigs.config(port, 5, b);
    assertThat(h.put(ID, toA).statusCode()).isEqualTo(200);
    appliedBefore = h.appliedVersion(ID);
    stateBefore = h.stateFile();
  }

  @AfterEach
  void stop() {
    h.close();
    a.close();
    b.close();
  }

  /** A refused push left everything as it was: version, state file, and where traffic goes. */
  private void assertNothingChanged() {
    assertThat(h.appliedVersion(ID)).isEqualTo(appliedBefore);
    assertThat(h.stateFile()).isEqualTo(stateBefore);
    assertThat(greeting(port)).isEqualTo("a");
  }

  private static ObjectNode json(LoadBalancerConfig c) {
    return WireJson.MAPPER.valueToTree(c);
  }

  private static String error(HttpResponse<String> r) {
    return read(r.body()).path("error").asText();
  }

  @Test
  void putIsAcknowledgedAndGetShowsTheAppliedVersion() {
    assertThat(appliedBefore).isEqualTo(toA.contentVersion());
    JsonNode status = read(h.get("/v1/loadbalancers/" + ID).body());
    assertThat(status.path("listening").asBoolean()).isTrue();
    assertThat(status.path("backends").get(0).path("name").asText()).isEqualTo("a");
    assertThat(greeting(port)).isEqualTo("a");
  }

  @Test
  void samePutAgainAnswersTheSameVersion() {
    HttpResponse<String> again = h.put(ID, toA);

    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(read(again.body()).path("appliedVersion").asText()).isEqualTo(appliedBefore);
    assertThat(read(again.body()).path("epoch").asLong()).isEqualTo(5);
    assertNothingChanged();
  }

  @Test
  void putOfNewBackendsMovesNewConnectionsToThem() {
    HttpResponse<String> r = h.put(ID, toB);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(read(r.body()).path("appliedVersion").asText()).isEqualTo(toB.contentVersion());
    assertThat(h.appliedVersion(ID)).isEqualTo(toB.contentVersion());
    assertThat(greeting(port)).isEqualTo("b");
  }

  @Test
  void missingTokenIs401AndChangesNothing() {
    HttpResponse<String> r = h.put(ID, toB, null, null);

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertNothingChanged();
  }

  @Test
  void wrongTokenIs401WithoutSayingWhy() {
    HttpResponse<String> wrong = h.put(ID, toB, TOKEN.substring(1) + "x", null);
    HttpResponse<String> missing = h.put(ID, toB, null, null);

    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body())
        .isEqualTo(missing.body())
        .doesNotContain(TOKEN)
        .doesNotContainIgnoringCase("expected")
        .doesNotContainIgnoringCase("wrong");
    assertNothingChanged();
  }

  @Test
  void malformedJsonIs400AndChangesNothing() {
    HttpResponse<String> r = h.put(ID, "{\"frontend\": {\"port\": ", TOKEN, null);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r)).contains("malformed JSON");
    assertNothingChanged();
  }

  @Test
  void emptyBodyIs400AndChangesNothing() {
    HttpResponse<String> r = h.put(ID, "", TOKEN, null);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r)).contains("empty");
    assertNothingChanged();
  }

  @Test
  void fieldOutOfRangeIs422NamingTheField() {
    ObjectNode body = json(toB);
    ((ObjectNode) body.get("healthCheck")).put("rise", 0);

    HttpResponse<String> r = h.put(ID, body.toString(), TOKEN, null);

    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(error(r)).startsWith("healthCheck.rise:").contains("got 0");
    assertNothingChanged();
  }

  @Test
  void unknownBalanceIs422NamingBalance() {
    HttpResponse<String> r = h.put(ID, json(toB).put("balance", "Fastest").toString(), TOKEN, null);

    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(error(r)).startsWith("balance:").contains("Fastest").contains("RoundRobin");
    assertNothingChanged();
  }

  @Test
  void unknownHealthCheckModeIs422NamingIt() {
    ObjectNode body = json(toB);
    ((ObjectNode) body.get("healthCheck")).put("mode", "Ping");

    HttpResponse<String> r = h.put(ID, body.toString(), TOKEN, null);

    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(error(r)).startsWith("healthCheck.mode:").contains("Ping");
    assertNothingChanged();
  }

  @Test
  void duplicateBackendsAre422() {
    ObjectNode body = json(toB);
    ArrayNode backends = (ArrayNode) body.get("backends");
    backends.add(backends.get(0).deepCopy());

    HttpResponse<String> r = h.put(ID, body.toString(), TOKEN, null);

    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(error(r)).startsWith("backends[1]").contains("duplicates backends[0]");
    assertNothingChanged();
  }

  @Test
  void portClashWithAnotherFrontendIs422NamingFrontendPort() {
    String other = "fulcrum-system.other";
    int otherPort = TestConfigs.freePort();
    assertThat(h.put(other, TestConfigs.config(otherPort, 5, b)).statusCode()).isEqualTo(200);
    String otherVersion = h.appliedVersion(other);
    stateBefore = h.stateFile();

    HttpResponse<String> r = h.put(other, TestConfigs.config(port, 5, b), TOKEN, null);

    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(error(r)).startsWith("frontend.port:").contains(ID);
    assertThat(h.appliedVersion(other)).isEqualTo(otherVersion);
    assertThat(greeting(otherPort)).isEqualTo("b");
    assertNothingChanged();
  }

  /** ID served on VIP 192.0.2.100/24, router id 51, as what a refused push must leave. */
  private void serveOnVip() {
    assertThat(
            h.put(ID, TestConfigs.onVip(toA, "192.0.2.100/24", 51, Map.of("lb-1", 200)))
                .statusCode())
        .isEqualTo(200);
    appliedBefore = h.appliedVersion(ID);
    stateBefore = h.stateFile();
  }

  @Test
  void aRouterIdAnotherVipHasOnTheInterfaceIs422AndChangesNothing() {
    serveOnVip();
    String other = "fulcrum-system.other";
    int otherPort = TestConfigs.freePort();

    HttpResponse<String> r =
        h.put(
            other,
            TestConfigs.onVip(TestConfigs.config(otherPort, 5, b), "192.0.2.200/24", 51, Map.of()));

    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(error(r))
        .isEqualTo(
            "frontend.virtualRouterId: 51 on eth1 is already the VRRP instance of VIP"
                + " 192.0.2.100/24 (load balancer "
                + ID
                + "); each VIP on an interface needs a router id of its own");
    assertThat(h.get("/v1/loadbalancers/" + other).statusCode()).isEqualTo(404);
    assertNothingChanged();
    assertThat(
            h.put(
                    other,
                    TestConfigs.onVip(
                        TestConfigs.config(otherPort, 5, b), "192.0.2.200/24", 52, Map.of()))
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void anIpv6VipOnAFrontendBoundToIpv4Is422() {
    HttpResponse<String> r = h.put(ID, TestConfigs.onVip(toA, "fd00::100/64", 51, Map.of()));

    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(error(r))
        .isEqualTo(
            "frontend.virtualIP: fd00::100 is IPv6 but the frontend binds 127.0.0.1, which is"
                + " IPv4 only: clients of the VIP would be refused; bind :: (IPv6 and IPv4) or the"
                + " VIP's own family");
    assertNothingChanged();
  }

  @Test
  void anIpv4VipAndAnIpv6VipShareAPortOnTheDualStackDefaultAndEachServesItsFamily() {
    assumeTrue(ListenAddress.hostHasIpv6(), "this host has no IPv6");
    int shared = TestConfigs.freePort();
    String v4 = "fulcrum-system.api-v4";
    String v6 = "fulcrum-system.api-v6";
    LoadBalancerConfig onA = TestConfigs.withBind(TestConfigs.config(shared, 5, a), null);
    LoadBalancerConfig onB = TestConfigs.withBind(TestConfigs.config(shared, 5, b), null);

    HttpResponse<String> first = h.put(v4, TestConfigs.onVip(onA, "192.0.2.100/24", 61, Map.of()));
    HttpResponse<String> second = h.put(v6, TestConfigs.onVip(onB, "fd00::100/64", 62, Map.of()));
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    // A second IPv4 VIP on the port would take the same connections as the first: refused.
    HttpResponse<String> third =
        h.put(
            "fulcrum-system.api-v4-again", TestConfigs.onVip(onB, "192.0.2.200/24", 63, Map.of()));

    assertThat(greeting(new InetSocketAddress("127.0.0.1", shared))).isEqualTo("a");
    assertThat(greeting(new InetSocketAddress("::1", shared))).isEqualTo("b");
    assertThat(third.statusCode()).isEqualTo(422);
    assertThat(error(third))
        .isEqualTo(
            "frontend.port: "
                + shared
                + " on 0.0.0.0:"
                + shared
                + " is already used by load balancer "
                + v4
                + " (0.0.0.0:"
                + shared
                + ")");
  }

  @Test
  void aVrrpPasswordIsServedButNeverShownAndLoadBalancersOnItsVipMustShareIt() throws Exception {
    LoadBalancerConfig onVip = TestConfigs.onVip(toA, "192.0.2.100/24", 51, Map.of());
    ObjectNode withPassword = json(onVip);
    ((ObjectNode) withPassword.get("frontend")).put("vrrpPassword", "k3s-vrrp");

    assertThat(h.put(ID, withPassword.toString(), TOKEN, null).statusCode()).isEqualTo(200);
    for (String path : List.of("/v1/status", "/v1/loadbalancers/" + ID)) {
      HttpResponse<String> r = h.get(path);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).as(path).doesNotContain("k3s-vrrp");
    }
    // The state file keeps it, for a restart without the operator, readable by the proxy alone.
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(h.stateDir.resolve("state.json"))))
        .isEqualTo("rw-------");
    appliedBefore = h.appliedVersion(ID);
    stateBefore = h.stateFile();

    String other = "fulcrum-system.supervisor";
    HttpResponse<String> without =
        h.put(
            other,
            TestConfigs.onVip(
                TestConfigs.config(TestConfigs.freePort(), 5, b), "192.0.2.100/24", 51, Map.of()));

    assertThat(without.statusCode()).isEqualTo(422);
    assertThat(error(without))
        .isEqualTo(
            "frontend.vrrpPassword: VIP 192.0.2.100 is also served by load balancer "
                + ID
                + " with another VRRP password; a VIP is one VRRP instance, so both must use the"
                + " same");
    assertNothingChanged();
  }

  @Test
  void loadBalancersSharingAVipMustAgreeOnItsVrrpInstance() {
    serveOnVip();
    String other = "fulcrum-system.supervisor"; // e.g. K3s's 9345 on the same VIP
    LoadBalancerConfig supervisor = TestConfigs.config(TestConfigs.freePort(), 5, b);

    HttpResponse<String> otherId =
        h.put(other, TestConfigs.onVip(supervisor, "192.0.2.100/24", 52, Map.of()));
    HttpResponse<String> otherPrefix =
        h.put(other, TestConfigs.onVip(supervisor, "192.0.2.100/16", 51, Map.of()));

    assertThat(otherId.statusCode()).isEqualTo(422);
    assertThat(error(otherId))
        .startsWith(
            "frontend.virtualRouterId: VIP 192.0.2.100 is also served by load balancer "
                + ID
                + " as 192.0.2.100/24 on eth1, virtualRouterId 51;")
        .endsWith("(this push: 192.0.2.100/24 on eth1, virtualRouterId 52)");
    assertThat(otherPrefix.statusCode()).isEqualTo(422);
    assertThat(error(otherPrefix)).startsWith("frontend.virtualIP: VIP 192.0.2.100 is also");
    assertNothingChanged();
    // The same instance, whatever the priorities (adding an lb host changes them one push at a
    // time): accepted.
    assertThat(
            h.put(other, TestConfigs.onVip(supervisor, "192.0.2.100/24", 51, Map.of("lb-1", 150)))
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void staleEpochIs409WithTheAppliedVersion() {
    HttpResponse<String> r = h.put(ID, TestConfigs.config(port, 4, b));

    assertThat(r.statusCode()).isEqualTo(409);
    JsonNode body = read(r.body());
    assertThat(body.path("appliedVersion").asText()).isEqualTo(appliedBefore);
    assertThat(body.path("epoch").asLong()).isEqualTo(5);
    assertThat(body.path("error").asText())
        .contains("epoch 4 is below the fence of " + ID)
        .as("it says what to do")
        .contains("raises its epoch past the fence")
        .contains("POST /v1/loadbalancers/" + ID + "/adopt");
    assertNothingChanged();
  }

  @Test
  void fencesArePerLoadBalancerSoInstallsSharingAHostDoNotFenceEachOther() {
    String otherInstall = "other-system.k3s-api";
    int otherPort = TestConfigs.freePort();

    HttpResponse<String> r = h.put(otherInstall, TestConfigs.config(otherPort, 1, b));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(greeting(otherPort)).isEqualTo("b");
    assertThat(h.put(ID, TestConfigs.config(port, 4, b)).statusCode())
        .as("each keeps its own fence")
        .isEqualTo(409);
    assertThat(new StateStore(h.stateDir).load().fences())
        .containsEntry(ID, 5L)
        .containsEntry(otherInstall, 1L);
  }

  @Test
  void aDeletedLoadBalancerKeepsItsFenceSoADeposedLeaderCannotBringItBack() {
    assertThat(h.delete(ID).statusCode()).isEqualTo(200);

    assertThat(h.put(ID, TestConfigs.config(port, 4, b)).statusCode()).isEqualTo(409);
    assertThat(h.get("/v1/loadbalancers/" + ID).statusCode()).isEqualTo(404);
    assertThat(h.put(ID, TestConfigs.config(port, 5, b)).statusCode()).isEqualTo(200);
  }

  @Test
  void reAdoptionForgetsTheFenceKeepsServingAndTheNextPushSetsItAnew() {
    assertThat(h.adopt(ID, "wrong-token").statusCode()).isEqualTo(401);
    assertThat(h.put(ID, TestConfigs.config(port, 1, b)).statusCode()).isEqualTo(409);

    HttpResponse<String> adopted = h.adopt(ID, TOKEN);

    assertThat(adopted.statusCode()).as(adopted.body()).isEqualTo(200);
    assertThat(read(adopted.body()).path("previousFence").asLong()).isEqualTo(5);
    assertThat(greeting(port)).as("the config served stays").isEqualTo("a");
    assertThat(new StateStore(h.stateDir).load().fences()).doesNotContainKey(ID);
    assertThat(h.put(ID, TestConfigs.config(port, 1, b)).statusCode()).isEqualTo(200);
    assertThat(greeting(port)).isEqualTo("b");
    assertThat(new StateStore(h.stateDir).load().fences()).containsEntry(ID, 1L);
    assertThat(
            h.send(h.request("/v1/loadbalancers/" + ID + "/adopt", TOKEN).GET().build())
                .statusCode())
        .isEqualTo(405);
  }

  @Test
  void everyRequestIsCountedByMethodAndAnsweredStatus() {
    h.put(ID, TestConfigs.config(port, 4, b));
    h.put(ID, toB, null, null);
    h.get("/v1/status");

    assertThat(AdminRequests.count(h.metrics, "PUT")).isEqualTo(3);
    assertThat(AdminRequests.count(h.metrics, "DELETE")).isZero();
    assertThat(h.metrics.scrape())
        .contains("fulcrum_admin_requests_total{code=\"200\",method=\"PUT\"} 1.0")
        .contains("fulcrum_admin_requests_total{code=\"409\",method=\"PUT\"} 1.0")
        .contains("fulcrum_admin_requests_total{code=\"401\",method=\"PUT\"} 1.0")
        .contains("fulcrum_admin_requests_total{code=\"200\",method=\"GET\"}");
  }

  @Test
  void ifMatchMismatchIs409() {
    HttpResponse<String> r = h.put(ID, toB, TOKEN, "\"" + toB.contentVersion() + "\"");

    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(read(r.body()).path("appliedVersion").asText()).isEqualTo(appliedBefore);
    assertNothingChanged();
  }

  @Test
  void ifMatchOfTheAppliedVersionIsAcceptedQuotedOrNot() {
    assertThat(h.put(ID, toB, TOKEN, "\"" + appliedBefore + "\"").statusCode()).isEqualTo(200);
    assertThat(h.put(ID, toA, TOKEN, toB.contentVersion()).statusCode()).isEqualTo(200);
    assertThat(h.appliedVersion(ID)).isEqualTo(appliedBefore);
  }

  @Test
  void bodyOverOneMebibyteIs413AndChangesNothing() {
    String padded = json(toB).toString() + " ".repeat(AdminServer.MAX_BODY_BYTES);

    HttpResponse<String> r = h.put(ID, padded, TOKEN, null);

    assertThat(r.statusCode()).isEqualTo(413);
    assertNothingChanged();
  }

  @Test
  void persistenceFailureIs500NamingTheCauseAndKeepsTheOldConfig() throws Exception {
    Path stateFile = h.stateDir.resolve("state.json");
    Files.delete(stateFile);
    Files.createDirectories(stateFile.resolve("blocker"));

    HttpResponse<String> r = h.put(ID, toB);

    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(error(r)).contains("not applied").contains(stateFile.toString());
    assertThat(h.appliedVersion(ID)).isEqualTo(appliedBefore);
    assertThat(greeting(port)).isEqualTo("a");
  }

  @Test
  void fullDiskIsTold507AndOtherWriteFailures500() {
    var full =
        new java.nio.file.FileSystemException(
            "/var/lib/fulcrum/.state.json.tmp", null, "No space left on device");
    var quota = new java.io.IOException("write failed: Disk quota exceeded");
    var denied = new java.nio.file.AccessDeniedException("/var/lib/fulcrum/.state.json.tmp");

    assertThat(AdminApi.outOfSpace(new dev.fulcrum.proxy.engine.PersistenceException("x", full)))
        .isTrue();
    assertThat(AdminApi.outOfSpace(new dev.fulcrum.proxy.engine.PersistenceException("x", quota)))
        .isTrue();
    assertThat(AdminApi.outOfSpace(new dev.fulcrum.proxy.engine.PersistenceException("x", denied)))
        .isFalse();
  }

  @Test
  void deleteStopsTheFrontendAndForgetsTheLoadBalancer() {
    HttpResponse<String> r = h.delete(ID);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(h.get("/v1/loadbalancers/" + ID).statusCode()).isEqualTo(404);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
                    .isInstanceOf(java.net.ConnectException.class));
    assertThat(new StateStore(h.stateDir).load().loadBalancers()).isEmpty();
    assertThat(h.delete(ID).statusCode()).isEqualTo(404);
  }

  @Test
  void rotatedTokenFileTakesEffectWithoutRestart() throws Exception {
    String rotated = "rotated-token-" + System.nanoTime();
    Path next = Files.writeString(dir.resolve("token.next"), rotated);
    // The way a mounted Secret changes: a new file renamed over the old one.
    Files.move(next, h.tokenFile, StandardCopyOption.ATOMIC_MOVE);

    HttpResponse<String> old = h.send(h.request("/v1/status", TOKEN).GET().build());
    HttpResponse<String> fresh = h.send(h.request("/v1/status", rotated).GET().build());

    assertThat(old.statusCode()).isEqualTo(401);
    assertThat(fresh.statusCode()).isEqualTo(200);
    assertThat(h.put(ID, toB, rotated, null).statusCode()).isEqualTo(200);
    assertThat(greeting(port)).isEqualTo("b");
  }

  @Test
  void missingTokenFileRefusesEveryRequest() throws Exception {
    Files.delete(h.tokenFile);

    assertThat(h.get("/v1/status").statusCode()).isEqualTo(401);
    assertThat(h.put(ID, toB).statusCode()).isEqualTo(401);
    Files.writeString(h.tokenFile, TOKEN);
    assertNothingChanged();
  }

  @Test
  void statusNamesTheProxyItsLoadBalancersAndTheVip() {
    HttpResponse<String> r = h.get("/v1/status");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode status = read(r.body());
    assertThat(status.path("name").asText()).isEqualTo("lb-test");
    assertThat(status.path("vipHeld").asBoolean()).isTrue();
    assertThat(status.path("loadBalancers").get(0).path("id").asText()).isEqualTo(ID);
    assertThat(status.path("loadBalancers").get(0).path("appliedVersion").asText())
        .isEqualTo(appliedBefore);
  }

  @Test
  void unknownPathsAre404AndOtherMethodsAre405() {
    assertThat(h.get("/v1/nothing").statusCode()).isEqualTo(404);
    assertThat(h.get("/v1/loadbalancers/" + ID + "/extra").statusCode()).isEqualTo(404);
    HttpResponse<String> post =
        h.send(
            h.request("/v1/loadbalancers/" + ID, TOKEN)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
                .build());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, PUT, DELETE");
    assertNothingChanged();
  }
}
