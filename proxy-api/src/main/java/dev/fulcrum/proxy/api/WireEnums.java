package dev.fulcrum.proxy.api;

import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Parses wire enum spellings with an error that lists the accepted values. */
final class WireEnums {
  private WireEnums() {}

  static <E extends Enum<E>> E parse(Class<E> type, String value, Function<E, String> wireName) {
    for (E constant : type.getEnumConstants()) {
      if (wireName.apply(constant).equals(value)) {
        return constant;
      }
    }
    String allowed =
        Arrays.stream(type.getEnumConstants()).map(wireName).collect(Collectors.joining(", "));
    throw new IllegalArgumentException(
        "unknown value \"" + value + "\" (expected one of " + allowed + ")");
  }
}
