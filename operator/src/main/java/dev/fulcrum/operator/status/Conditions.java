package dev.fulcrum.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** metav1.Conditions whose lastTransitionTime moves only when the status itself flips. */
public final class Conditions {
  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";

  private Conditions() {}

  /** A condition without a transition time; {@link #merge} stamps it. */
  public static Condition of(String type, boolean status, String reason, String message) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status ? "True" : "False")
        .withReason(reason)
        .withMessage(message == null ? "" : message)
        .build();
  }

  /**
   * The next conditions: each carries the generation, and keeps its previous lastTransitionTime
   * unless its status changed.
   */
  public static List<Condition> merge(
      List<Condition> previous, List<Condition> next, long generation, Instant now) {
    String stamp = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
    List<Condition> out = new ArrayList<>();
    for (Condition c : next) {
      Condition old = find(previous, c.getType());
      String transition =
          old != null
                  && old.getStatus().equals(c.getStatus())
                  && old.getLastTransitionTime() != null
              ? old.getLastTransitionTime()
              : stamp;
      out.add(
          new ConditionBuilder(c)
              .withObservedGeneration(generation)
              .withLastTransitionTime(transition)
              .build());
    }
    return out;
  }

  /** The condition of that type, or null. */
  public static Condition find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return null;
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }
}
