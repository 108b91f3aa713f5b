package dev.fulcrum.proxy.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A container image archive that the build wrote, unpacked layer by layer and run as its config
 * says (entrypoint, arguments, environment, user) with a read-only root, under a private mount
 * namespace and chroot: what a container runtime does, less the namespaces this sandbox refuses.
 */
public final class ImageArchive {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path rootfs;
  private final List<String> command = new ArrayList<>();
  private final Map<String, String> env = new LinkedHashMap<>();
  private final String user;
  private final List<String> tags;

  private ImageArchive(Path rootfs, JsonNode config, List<String> tags) {
    this.rootfs = rootfs;
    this.tags = List.copyOf(tags);
    JsonNode c = config.path("config");
    c.path("Entrypoint").forEach(a -> command.add(a.asText()));
    c.path("Cmd").forEach(a -> command.add(a.asText()));
    c.path("Env")
        .forEach(
            e -> {
              String s = e.asText();
              env.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
            });
    this.user = c.path("User").asText("0:0");
  }

  /**
   * The {@code *-image.tar} in {@code target}; skips the calling test, saying why, when the build
   * made none (no jmods in the JDK) or this machine cannot run it (root, unshare and chroot).
   */
  public static Path archive(Path target) throws IOException {
    Path tar;
    try (Stream<Path> files = Files.list(target)) {
      tar = files.filter(p -> p.toString().endsWith("-image.tar")).findFirst().orElse(null);
    }
    assumeTrue(
        tar != null,
        "no image archive in " + target + ": the build's image profile needs a JDK with jmods/");
    assumeTrue(
        "root".equals(System.getProperty("user.name"))
            && Files.isExecutable(Path.of("/usr/bin/unshare"))
            && Files.isExecutable(Path.of("/usr/sbin/chroot")),
        "running an image here needs root, unshare and chroot (a private mount namespace)");
    return tar;
  }

  /**
   * Unpacks {@code tar}'s one image ({@code docker save} layout: manifest.json, config, gzipped
   * layers) into {@code dir}; returns it ready to run.
   */
  public static ImageArchive unpack(Path tar, Path dir) throws IOException, InterruptedException {
    Path layout = Files.createDirectories(dir.resolve("layout"));
    exec(List.of("tar", "-xf", tar.toString(), "-C", layout.toString()));
    JsonNode manifest = JSON.readTree(layout.resolve("manifest.json").toFile()).get(0);
    Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
    for (JsonNode layer : manifest.path("Layers")) {
      exec(
          List.of(
              "tar", "-xzf", layout.resolve(layer.asText()).toString(), "-C", rootfs.toString()));
    }
    for (String mountPoint : List.of("proc", "dev")) {
      Files.createDirectories(rootfs.resolve(mountPoint));
    }
    List<String> tags = new ArrayList<>();
    manifest.path("RepoTags").forEach(t -> tags.add(t.asText()));
    return new ImageArchive(
        rootfs, JSON.readTree(layout.resolve(manifest.path("Config").asText()).toFile()), tags);
  }

  /** The names the archive gives its image ({@code repository:tag}). */
  public List<String> tags() {
    return tags;
  }

  public Map<String, String> env() {
    return Map.copyOf(env);
  }

  public List<String> command() {
    return List.copyOf(command);
  }

  public String user() {
    return user;
  }

  /**
   * Starts the image's command with host networking; {@code binds} maps paths in the image to host
   * directories (made in the image if missing), {@code extraEnv} adds to the image's environment.
   * The root is read-only; /tmp is a tmpfs, as a runtime's read-only mode gives.
   */
  public Process start(Map<String, Path> binds, Map<String, String> extraEnv, Path log)
      throws IOException {
    return start(binds, extraEnv, log, command);
  }

  /** As above, running {@code cmd} (a path in the image and its arguments) instead. */
  public Process start(
      Map<String, Path> binds, Map<String, String> extraEnv, Path log, List<String> cmd)
      throws IOException {
    StringBuilder sh = new StringBuilder("set -e; R=").append(q(rootfs.toString())).append(';');
    sh.append(" mount --bind \"$R\" \"$R\"; mount -o remount,ro,bind \"$R\";");
    sh.append(" mount -t proc proc \"$R/proc\"; mount --rbind /dev \"$R/dev\";");
    sh.append(" mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs \"$R/tmp\";");
    for (Map.Entry<String, Path> b : binds.entrySet()) {
      Files.createDirectories(rootfs.resolve(b.getKey().substring(1)));
      sh.append(" mount --bind ")
          .append(q(b.getValue().toString()))
          .append(" \"$R\"")
          .append(q(b.getKey()))
          .append(';');
    }
    sh.append(" exec env -i");
    Map<String, String> all = new LinkedHashMap<>(env);
    all.putAll(extraEnv);
    all.forEach((k, v) -> sh.append(' ').append(q(k + "=" + v)));
    sh.append(" /usr/sbin/chroot --userspec=").append(user).append(" \"$R\"");
    cmd.forEach(a -> sh.append(' ').append(q(a)));
    return new ProcessBuilder(
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "--fork",
            "--kill-child",
            "sh",
            "-c",
            sh.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /** The uid the process that {@code parent} (unshare) started runs as, read from /proc. */
  public static String uidOfChild(Process parent) throws IOException {
    for (ProcessHandle h : parent.descendants().toList()) {
      Path status = Path.of("/proc", Long.toString(h.pid()), "status");
      String s = Files.readString(status);
      if (s.contains("Name:\tjava")) {
        return s.lines().filter(l -> l.startsWith("Uid:")).findFirst().orElse("?").split("\\s+")[1];
      }
    }
    return "?";
  }

  /** Sends SIGTERM and waits; the namespace's mounts go with it. */
  public static void stop(Process p) throws InterruptedException {
    p.descendants().forEach(ProcessHandle::destroy);
    p.destroy();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor();
    }
  }

  private static String q(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private static void exec(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes());
    }
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
  }
}
