package dev.fulcrum.operator.status;

import dev.fulcrum.operator.desired.BackendSelection;
import dev.fulcrum.operator.push.Observation;
import dev.fulcrum.operator.push.PushResult;
import java.util.List;
import java.util.Map;

/**
 * Everything one reconcile learned, from which the status is computed without I/O.
 *
 * @param intent what the status reads of the spec
 * @param specProblems field-named problems; non-empty means nothing else was looked at
 * @param credentialsProblem why the credentials Secret is unusable, or null
 * @param selection the backends chosen from the Nodes, null when the spec is invalid
 * @param desiredVersion the content version pushed, null when the set was too small to push
 * @param observations each proxy's answer, in spec order (pushes already folded in)
 * @param pushes the PUTs made this round, by proxy name
 * @param joinPending a server joined and its push waits for the debounce
 * @param orphans proxies that left the spec and still serve the load balancer (error set), or were
 *     just told to stop (error null)
 */
public record SyncFacts(
    long generation,
    Intent intent,
    List<String> specProblems,
    String credentialsProblem,
    BackendSelection selection,
    String desiredVersion,
    List<Observation> observations,
    Map<String, PushResult> pushes,
    boolean joinPending,
    List<Orphan> orphans) {

  public SyncFacts {
    orphans = List.copyOf(orphans);
  }

  /** Without orphans. */
  public SyncFacts(
      long generation,
      Intent intent,
      List<String> specProblems,
      String credentialsProblem,
      BackendSelection selection,
      String desiredVersion,
      List<Observation> observations,
      Map<String, PushResult> pushes,
      boolean joinPending) {
    this(
        generation,
        intent,
        specProblems,
        credentialsProblem,
        selection,
        desiredVersion,
        observations,
        pushes,
        joinPending,
        List.of());
  }

  /** A spec that cannot be pushed. */
  public static SyncFacts invalid(long generation, Intent intent, List<String> problems) {
    return new SyncFacts(
        generation, intent, problems, null, null, null, List.of(), Map.of(), false);
  }
}
