package dev.fulcrum.operator.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The operator's jar (target/fulcrum-operator.jar, what the image runs) holds the wire format of
 * the admin API and nothing else of the proxy: no proxy classes, no Netty, no native libraries.
 */
class OperatorJarIT {

  @Test
  void theOperatorJarCarriesTheWireFormatButNotTheProxyOrNetty() throws Exception {
    Path jar = Path.of("target", "fulcrum-operator.jar");
    List<String> entries;
    try (JarFile f = new JarFile(jar.toFile())) {
      entries = Collections.list(f.entries()).stream().map(ZipEntry::getName).toList();
    }
    System.out.printf("%s: %d bytes, %d entries%n", jar, Files.size(jar), entries.size());

    assertThat(entries).contains("dev/fulcrum/proxy/api/LoadBalancerConfig.class");
    assertThat(entries).noneMatch(e -> e.startsWith("io/netty/"));
    assertThat(entries).noneMatch(e -> e.startsWith("META-INF/native/"));
    assertThat(entries)
        .filteredOn(e -> e.startsWith("dev/fulcrum/proxy/") && !e.endsWith("/"))
        .allMatch(e -> e.startsWith("dev/fulcrum/proxy/api/"));
  }
}
