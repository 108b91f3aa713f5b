package dev.fulcrum.operator.status;

import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus.BackendState;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus.ProxyState;
import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.operator.push.Observation;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Computes the whole status from one reconcile's facts; pure, so every condition is unit tested.
 */
public final class StatusBuilder {
  private StatusBuilder() {}

  public static ExternalLoadBalancerStatus build(
      ExternalLoadBalancerStatus previous, SyncFacts f, Instant now) {
    ExternalLoadBalancerStatus s = new ExternalLoadBalancerStatus();
    s.observedGeneration = f.generation();
    s.registrationAddress = Registration.address(f.spec());
    List<Condition> next;
    if (!f.specProblems().isEmpty()) {
      String message = String.join("; ", f.specProblems());
      s.desiredVersion = previous == null ? null : previous.desiredVersion;
      // Nothing was asked: what was known of the proxies (orphans among them) and the backends
      // (static entries still served among them) stays.
      s.proxies = previous == null ? new ArrayList<>() : previous.proxies;
      s.backends = previous == null ? new ArrayList<>() : previous.backends;
      next =
          List.of(
              Conditions.of(Conditions.READY, false, Reasons.INVALID_SPEC, message),
              Conditions.of(Conditions.PROGRESSING, false, Reasons.INVALID_SPEC, message),
              Conditions.of(Conditions.DEGRADED, true, Reasons.INVALID_SPEC, message));
    } else {
      String host = Registration.host(f.spec());
      s.backends = BackendStates.of(f.selection(), f.observations(), host);
      for (var skipped : f.selection().skipped()) {
        ExternalLoadBalancerStatus.SkippedNode n = new ExternalLoadBalancerStatus.SkippedNode();
        n.name = skipped.node();
        n.reason = skipped.reason();
        s.skippedNodes.add(n);
      }
      s.proxies = proxies(f);
      List<ProxyState> orphans =
          f.orphans().stream().filter(o -> o.error() != null).map(ProxyStates::orphan).toList();
      s.desiredVersion =
          f.desiredVersion() != null
              ? f.desiredVersion()
              : (previous == null ? null : previous.desiredVersion);
      long healthy = s.backends.stream().filter(b -> "Up".equals(b.health)).count();
      long synced = s.proxies.stream().filter(p -> ProxyStates.SYNCED.equals(p.state)).count();
      s.backendsSummary = healthy + "/" + s.backends.size();
      s.proxiesSummary = synced + "/" + s.proxies.size();
      next = conditions(f, s, host, synced, orphans);
      s.proxies.addAll(orphans); // listed after the spec's, counted in no summary
    }
    List<Condition> old = previous == null ? List.of() : previous.conditions;
    s.conditions = Conditions.merge(old, next, f.generation(), now);
    return s;
  }

  private static List<ProxyState> proxies(SyncFacts f) {
    List<ProxyState> out = new ArrayList<>();
    for (ProxySpec p : f.spec().proxies) {
      Observation o =
          f.observations().stream().filter(x -> x.proxy().equals(p.name)).findFirst().orElse(null);
      out.add(ProxyStates.of(p.name, p.endpoint, o, f.pushes().get(p.name), f.desiredVersion()));
    }
    return out;
  }

  private static List<Condition> conditions(
      SyncFacts f,
      ExternalLoadBalancerStatus s,
      String host,
      long synced,
      List<ProxyState> orphans) {
    List<String[]> problems = new ArrayList<>(); // {reason, message}, most blocking first
    if (f.credentialsProblem() != null) {
      problems.add(new String[] {Reasons.CREDENTIALS_MISSING, f.credentialsProblem()});
    }
    if (!f.selection().enough()) {
      problems.add(new String[] {Reasons.KEEPING_LAST_KNOWN, keepingMessage(f)});
    }
    for (ProxyState p : s.proxies) {
      if (ProxyStates.UNREACHABLE.equals(p.state)) {
        problems.add(new String[] {Reasons.PROXY_UNREACHABLE, p.message});
      } else if (ProxyStates.REFUSED.equals(p.state)) {
        problems.add(new String[] {Reasons.PUSH_REFUSED, p.message});
      } else if (ProxyStates.FAILED.equals(p.state)) {
        problems.add(new String[] {Reasons.PUSH_FAILED, p.message});
      }
    }
    for (ProxyState o : orphans) {
      problems.add(new String[] {Reasons.ORPHANED_PROXY, o.message});
    }
    for (Observation o : f.observations()) {
      if (o.reachable() && o.calledItself() != null && !o.calledItself().equals(o.proxy())) {
        problems.add(
            new String[] {
              Reasons.PROXY_NAME_MISMATCH,
              "the proxy at "
                  + o.endpoint()
                  + " calls itself "
                  + o.calledItself()
                  + " (name in its proxy.yaml) but spec.proxies names it "
                  + o.proxy()
                  + "; it takes its VRRP priority by its own name, so make the two agree"
            });
      }
    }
    boolean allSynced = synced == s.proxies.size() && f.desiredVersion() != null;
    boolean ready = allSynced && f.credentialsProblem() == null && f.selection().enough();
    for (BackendState b : s.backends) {
      if (Boolean.FALSE.equals(b.certificateCoversAddress)) {
        problems.add(
            new String[] {
              Reasons.CERTIFICATE_MISSING_SAN,
              "server "
                  + b.name
                  + " ("
                  + b.address
                  + ") presents a certificate without "
                  + host
                  + "; add \""
                  + CertificateCoverage.tlsSanLine(host)
                  + "\" to its /etc/rancher/k3s/config.yaml and restart k3s"
            });
      }
    }
    Condition readyC;
    Condition progressing;
    if (ready) {
      String m =
          "all "
              + s.proxies.size()
              + " proxies serve "
              + f.desiredVersion()
              + " with "
              + f.selection().backends().size()
              + " backends";
      readyC = Conditions.of(Conditions.READY, true, Reasons.SYNCED, m);
      progressing = Conditions.of(Conditions.PROGRESSING, false, Reasons.SYNCED, m);
    } else {
      String[] blocking =
          problems.stream()
              .filter(
                  p ->
                      !p[0].equals(Reasons.CERTIFICATE_MISSING_SAN)
                          && !p[0].equals(Reasons.ORPHANED_PROXY)
                          && !p[0].equals(Reasons.PROXY_NAME_MISMATCH))
              .findFirst()
              .orElse(null);
      String pushing =
          f.joinPending()
              ? "a server joined; its push waits for the join debounce"
              : synced + " of " + s.proxies.size() + " proxies serve " + f.desiredVersion();
      readyC =
          blocking == null
              ? Conditions.of(Conditions.READY, false, Reasons.PUSHING, pushing)
              : Conditions.of(Conditions.READY, false, blocking[0], blocking[1]);
      boolean moving = f.joinPending() || (blocking == null && f.desiredVersion() != null);
      progressing =
          Conditions.of(
              Conditions.PROGRESSING,
              moving,
              moving ? Reasons.PUSHING : readyC.getReason(),
              moving ? pushing : readyC.getMessage());
    }
    Condition degraded =
        problems.isEmpty()
            ? Conditions.of(Conditions.DEGRADED, false, Reasons.AS_EXPECTED, "")
            : Conditions.of(
                Conditions.DEGRADED,
                true,
                problems.get(0)[0],
                String.join("; ", problems.stream().map(p -> p[1]).toList()));
    return List.of(readyC, progressing, degraded);
  }

  private static String keepingMessage(SyncFacts f) {
    Integer min = f.spec().backends == null ? null : f.spec().backends.minBackends;
    return f.selection().backends().size()
        + " ready backends, fewer than minBackends "
        + (min == null ? 1 : min)
        + "; the proxies keep serving the last pushed backends";
  }
}
