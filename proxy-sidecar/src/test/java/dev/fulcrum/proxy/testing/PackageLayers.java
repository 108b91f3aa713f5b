package dev.fulcrum.proxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The package structure as drawn from the sources: every reference from one package of a module to
 * another (an import or a qualified name) must go down a layer, so no package reaches one above it
 * or beside it and no two packages depend on each other.
 */
public final class PackageLayers {
  private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);

  private PackageLayers() {}

  /**
   * The references that do not go down, as {@code "from -> to (File.java)"}; empty when the layers
   * hold.
   *
   * @param sources a module's src/main/java
   * @param base the module's root package, e.g. {@code dev.fulcrum.proxy}
   * @param layers each package below {@code base} (empty string for {@code base} itself) and its
   *     layer: 0 at the top; a package may refer only to packages of a greater layer. Packages
   *     outside {@code base}, and {@code excluded} ones, are not checked
   */
  public static List<String> violations(
      Path sources, String base, Map<String, Integer> layers, List<String> excluded) {
    Pattern reference =
        Pattern.compile("\\b(" + Pattern.quote(base) + "(?:\\.[a-z_]\\w*)*)\\.[A-Z]");
    TreeSet<String> out = new TreeSet<>();
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String text = Files.readString(file);
        Matcher p = PACKAGE.matcher(text);
        if (!p.find()) {
          continue;
        }
        String from = relative(p.group(1), base);
        Integer fromLayer = layers.get(from);
        if (fromLayer == null) {
          out.add(from + " has no layer (" + file.getFileName() + ")");
          continue;
        }
        Matcher m = reference.matcher(text.substring(p.end()));
        while (m.find()) {
          String to = relative(m.group(1), base);
          if (to.equals(from) || excluded.contains(to)) {
            continue;
          }
          Integer toLayer = layers.get(to);
          if (toLayer == null || toLayer <= fromLayer) {
            out.add(
                (from.isEmpty() ? "(root)" : from)
                    + " -> "
                    + (to.isEmpty() ? "(root)" : to)
                    + " ("
                    + file.getFileName()
                    + ")");
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ArrayList<>(out);
  }

  private static String relative(String pkg, String base) {
    return pkg.equals(base) ? "" : pkg.substring(base.length() + 1);
  }
}
