package dev.fulcrum.operator.status;

import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus.BackendState;
import dev.fulcrum.operator.crd.ExternalLoadBalancerStatus.ProxyState;
import dev.fulcrum.operator.push.Observation;
import dev.fulcrum.operator.push.ProxyTarget;
import dev.fulcrum.proxy.api.BackendHealth;
import dev.fulcrum.proxy.api.BackendStatus;
import dev.fulcrum.proxy.api.LoadBalancerStatus;
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
    s.registrationAddress = f.intent().registrationAddress();
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
      String host = f.intent().registrationHost();
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
      long healthy =
          s.backends.stream().filter(b -> BackendHealth.UP.label().equals(b.health)).count();
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
    for (ProxyTarget p : f.intent().proxies()) {
      Observation o =
          f.observations().stream()
              .filter(x -> x.proxy().equals(p.name()))
              .findFirst()
              .orElse(null);
      out.add(
          ProxyStates.of(p.name(), p.endpoint(), o, f.pushes().get(p.name()), f.desiredVersion()));
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
    if (f.intent().virtualIP()) {
      for (Observation o : f.observations()) {
        if (o.reachable() && o.keepalivedProblem() != null) {
          problems.add(
              new String[] {Reasons.KEEPALIVED_FAILED, o.proxy() + ": " + o.keepalivedProblem()});
        }
      }
    }
    boolean allSynced = synced == s.proxies.size() && f.desiredVersion() != null;
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
    // Ready: agents can register through the address now. Every listed proxy serves some version
    // of this load balancer with a server Up by its own checks; a push in flight does not flip it.
    String[] notServing =
        f.credentialsProblem() != null
            ? new String[] {Reasons.CREDENTIALS_MISSING, f.credentialsProblem()}
            : firstNotServing(f, s);
    boolean moving =
        f.joinPending()
            || (f.desiredVersion() != null && !allSynced && blockingPush(problems) == null);
    String pushing =
        f.joinPending()
            ? "a server joined; its push waits for the join debounce"
            : synced + " of " + s.proxies.size() + " proxies serve " + f.desiredVersion();
    Condition readyC;
    if (notServing != null) {
      readyC = Conditions.of(Conditions.READY, false, notServing[0], notServing[1]);
    } else if (allSynced && f.selection().enough()) {
      readyC =
          Conditions.of(
              Conditions.READY,
              true,
              Reasons.SYNCED,
              "all "
                  + s.proxies.size()
                  + " proxies serve "
                  + f.desiredVersion()
                  + " with "
                  + f.selection().backends().size()
                  + " backends, "
                  + s.backendsSummary
                  + " Up");
    } else {
      readyC =
          Conditions.of(
              Conditions.READY,
              true,
              Reasons.SERVING,
              "every proxy serves with a server Up ("
                  + s.backendsSummary
                  + "); "
                  + (moving
                      ? pushing
                      : problems.isEmpty()
                          ? "not all on " + f.desiredVersion()
                          : problems.get(0)[1]));
    }
    Condition progressing;
    if (moving) {
      progressing = Conditions.of(Conditions.PROGRESSING, true, Reasons.PUSHING, pushing);
    } else {
      String[] blocking = blockingPush(problems);
      progressing =
          blocking != null
              ? Conditions.of(Conditions.PROGRESSING, false, blocking[0], blocking[1])
              : Conditions.of(
                  Conditions.PROGRESSING, false, readyC.getReason(), readyC.getMessage());
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

  /** What keeps pushes from finishing: a proxy that cannot be reached or that refused. */
  private static String[] blockingPush(List<String[]> problems) {
    return problems.stream()
        .filter(
            p ->
                p[0].equals(Reasons.PROXY_UNREACHABLE)
                    || p[0].equals(Reasons.PUSH_REFUSED)
                    || p[0].equals(Reasons.PUSH_FAILED)
                    || p[0].equals(Reasons.CREDENTIALS_MISSING))
        .findFirst()
        .orElse(null);
  }

  /**
   * The first listed proxy that agents cannot register through now, as {reason, message}; null when
   * every one serves this load balancer with at least one server Up.
   */
  private static String[] firstNotServing(SyncFacts f, ExternalLoadBalancerStatus s) {
    if (f.intent().proxies().isEmpty()) {
      return new String[] {Reasons.PUSHING, "spec.proxies lists no proxy"};
    }
    for (ProxyTarget target : f.intent().proxies()) {
      String name = target.name();
      Observation o =
          f.observations().stream().filter(x -> x.proxy().equals(name)).findFirst().orElse(null);
      ProxyState state =
          s.proxies.stream().filter(x -> x.name.equals(name)).findFirst().orElse(null);
      if (o == null || !o.reachable()) {
        return new String[] {
          Reasons.PROXY_UNREACHABLE, state != null && state.message != null ? state.message : name
        };
      }
      LoadBalancerStatus lb = o.loadBalancer();
      if (lb == null || lb.appliedVersion() == null) {
        if (state != null && ProxyStates.REFUSED.equals(state.state)) {
          return new String[] {Reasons.PUSH_REFUSED, state.message};
        }
        if (state != null && ProxyStates.FAILED.equals(state.state)) {
          return new String[] {Reasons.PUSH_FAILED, state.message};
        }
        return new String[] {Reasons.PUSHING, name + " does not serve this load balancer yet"};
      }
      if (!lb.listening()) {
        return new String[] {
          Reasons.NOT_LISTENING,
          name
              + " cannot listen on "
              + lb.listenAddress()
              + (lb.listenError() == null ? "" : ": " + lb.listenError())
        };
      }
      List<BackendStatus> backends = lb.backends() == null ? List.of() : lb.backends();
      if (backends.stream().noneMatch(b -> b.health() == BackendHealth.UP)) {
        return new String[] {Reasons.NO_SERVER_UP, noServerUp(name, backends)};
      }
    }
    return null;
  }

  private static String noServerUp(String proxy, List<BackendStatus> backends) {
    if (backends.isEmpty()) {
      return proxy + " serves no server";
    }
    List<String> each = new ArrayList<>();
    for (BackendStatus b : backends) {
      each.add(
          b.name()
              + " "
              + b.health()
              + (b.lastCheckError() == null ? "" : " (" + b.lastCheckError() + ")"));
    }
    return proxy
        + " serves "
        + backends.size()
        + " servers and its health checks find none Up: "
        + String.join(", ", each);
  }

  private static String keepingMessage(SyncFacts f) {
    return f.selection().backends().size()
        + " ready backends, fewer than minBackends "
        + f.intent().minBackends()
        + "; the proxies keep serving the last pushed backends";
  }
}
