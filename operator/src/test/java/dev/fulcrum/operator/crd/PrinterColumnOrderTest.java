package dev.fulcrum.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** kubectl shows the columns in the CRD's order: the one users expect, not jsonPath order. */
class PrinterColumnOrderTest {
  static List<String> columns(String crd) {
    Matcher m = Pattern.compile("(?m)^      name: \"(\\w+)\"$").matcher(crd);
    return m.results().map(r -> r.group(1)).toList();
  }

  @Test
  void theShippedCrdListsReadyReasonBackendsProxiesAddressAge() throws IOException {
    String crd =
        Files.readString(
            Path.of(System.getProperty("fulcrum.crd.committed", "../crds"), CrdDriftTest.FILE));
    assertThat(columns(crd))
        .containsExactly("Ready", "Reason", "Backends", "Proxies", "Address", "Age");
  }

  @Test
  void reorderMovesWholeItemsAndLeavesTheRestAlone() {
    String generated =
        "spec:\n  versions:\n  - additionalPrinterColumns:\n"
            + "    - jsonPath: \".a\"\n      name: \"Age\"\n      type: \"date\"\n"
            + "    - jsonPath: \".b\"\n      name: \"Ready\"\n      type: \"string\"\n"
            + "    name: \"v1alpha1\"\n";
    assertThat(PrinterColumnOrder.reorder(generated, List.of("Ready", "Age")))
        .isEqualTo(
            "spec:\n  versions:\n  - additionalPrinterColumns:\n"
                + "    - jsonPath: \".b\"\n      name: \"Ready\"\n      type: \"string\"\n"
                + "    - jsonPath: \".a\"\n      name: \"Age\"\n      type: \"date\"\n"
                + "    name: \"v1alpha1\"\n");
  }

  @Test
  void aColumnTheClassDoesNotDeclareFailsTheBuildNamingBoth() {
    String generated =
        "  - additionalPrinterColumns:\n    - jsonPath: \".a\"\n      name: \"Age\"\n"
            + "    name: \"v1alpha1\"\n";
    assertThatThrownBy(() -> PrinterColumnOrder.reorder(generated, List.of("Ready")))
        .hasMessageContaining("[Age]")
        .hasMessageContaining("[Ready]");
  }
}
