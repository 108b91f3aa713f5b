package dev.fulcrum.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Build step after the crd-generator (process-classes): puts the printer columns back in the order
 * {@link ExternalLoadBalancer} declares them, which the generator replaces with jsonPath order.
 */
public final class PrinterColumnOrder {
  private static final String START = "  - additionalPrinterColumns:\n";
  private static final String ITEM = "    - jsonPath: ";

  private PrinterColumnOrder() {}

  /** Rewrites each CRD file named in {@code args} in place. */
  public static void main(String[] args) throws IOException {
    List<String> order =
        Arrays.stream(
                ExternalLoadBalancer.class.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
    for (String file : args) {
      Path path = Path.of(file);
      Files.writeString(path, reorder(Files.readString(path), order));
    }
  }

  /** The CRD text with its printer-column items in {@code order}; everything else untouched. */
  static String reorder(String crd, List<String> order) {
    int start = crd.indexOf(START);
    if (start < 0) {
      throw new IllegalStateException("no additionalPrinterColumns in the generated CRD");
    }
    int from = start + START.length();
    int to = from;
    while (crd.startsWith(ITEM, to) || crd.startsWith("      ", to)) {
      to = crd.indexOf('\n', to) + 1;
    }
    Map<String, String> byName = new LinkedHashMap<>();
    for (String item : crd.substring(from, to).split("(?=" + ITEM + ")")) {
      int n = item.indexOf("name: \"");
      byName.put(item.substring(n + 7, item.indexOf('"', n + 7)), item);
    }
    if (!byName.keySet().equals(new java.util.HashSet<>(order))) {
      throw new IllegalStateException(
          "printer columns " + byName.keySet() + " differ from the declared " + order);
    }
    List<String> items = new ArrayList<>();
    order.forEach(name -> items.add(byName.get(name)));
    return crd.substring(0, from) + String.join("", items) + crd.substring(to);
  }
}
