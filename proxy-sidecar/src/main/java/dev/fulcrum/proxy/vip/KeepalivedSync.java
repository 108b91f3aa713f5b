package dev.fulcrum.proxy.vip;

import dev.fulcrum.proxy.store.DurableFile;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the VRRP instances of the applied load balancers to root's keepalived: after each change it
 * writes them, as data, to {@code keepalived.instancesFile} (only when the content differs). It
 * writes nothing keepalived loads or runs: {@link KeepalivedRender}, run as root when the file
 * changes, checks it and renders keepalived.conf. Runs on its own thread, so a push never waits.
 */
public final class KeepalivedSync implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KeepalivedSync.class);

  /** The track script's file name, beside keepalived.conf (written by the renderer, as root). */
  public static final String SCRIPT_FILE = "fulcrum-readyz.sh";

  private final String proxyName;
  private final Path instancesFile;
  private final URI readyz;
  private final Supplier<List<VirtualIp>> vips;
  private final Path resultFile;

  /** How long the renderer may take before a hand-off it has not answered is reported. */
  static final java.time.Duration GRACE = java.time.Duration.ofSeconds(30);

  private final java.time.Duration grace;
  private volatile String handedOverSha; // of the instances now in the file; null before any
  private volatile long handedOverNanos;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "fulcrum-keepalived");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param readyz this proxy's readiness URL, which each instance's track script asks
   * @param vips the VIPs of the applied load balancers, read on every sync
   */
  public KeepalivedSync(
      String proxyName, Path instancesFile, URI readyz, Supplier<List<VirtualIp>> vips) {
    this(proxyName, instancesFile, readyz, vips, null);
  }

  /**
   * @param resultFile where fulcrum-keepalived says what it made of the last instances it read;
   *     null: not watched
   */
  public KeepalivedSync(
      String proxyName,
      Path instancesFile,
      URI readyz,
      Supplier<List<VirtualIp>> vips,
      Path resultFile) {
    this(proxyName, instancesFile, readyz, vips, resultFile, GRACE);
  }

  KeepalivedSync(
      String proxyName,
      Path instancesFile,
      URI readyz,
      Supplier<List<VirtualIp>> vips,
      Path resultFile,
      java.time.Duration grace) {
    this.grace = grace;
    this.proxyName = proxyName;
    this.instancesFile = instancesFile.toAbsolutePath();
    this.readyz = readyz;
    this.vips = vips;
    this.resultFile = resultFile;
  }

  /**
   * Why the instances handed over have not reached keepalived, or null: fulcrum-keepalived refused
   * them (its reason), or has not rendered them {@link #GRACE} after they were written (the path
   * unit is not running).
   */
  public String problem() {
    String sha = handedOverSha;
    if (sha == null || resultFile == null) {
      return null;
    }
    RenderResult r;
    try {
      r = RenderResult.parse(Files.readAllBytes(resultFile));
    } catch (IOException | RuntimeException e) {
      r = null;
    }
    if (r != null && sha.equals(r.instancesSha256())) {
      return r.error() == null
          ? null
          : "fulcrum-keepalived refused the VRRP instances, keepalived keeps its previous config: "
              + r.error();
    }
    long waited = System.nanoTime() - handedOverNanos;
    if (waited < grace.toNanos()) {
      return null;
    }
    // No running count in the text: it is part of /v1/status, whose every change is announced.
    return "fulcrum-keepalived has not rendered the VRRP instances written to "
        + instancesFile
        + " more than "
        + grace.toSeconds()
        + " s ago"
        + (r == null ? " (no " + resultFile + ")" : " (its last run was at " + r.at() + ")")
        + ": is fulcrum-keepalived.path enabled?";
  }

  /** Schedules a sync; several changes in a burst are each rendered, but only a diff is written. */
  public void changed() {
    worker.execute(this::syncQuietly);
  }

  private void syncQuietly() {
    try {
      sync();
    } catch (IOException | RuntimeException e) {
      log.error("VRRP instances file {} not updated: {}", instancesFile, e.getMessage());
    }
  }

  /**
   * Writes the instances when they changed.
   *
   * @return whether the file was rewritten
   */
  public boolean sync() throws IOException {
    List<VirtualIp> current = vips.get();
    // No VIP and nothing written before: this host does not use keepalived through us.
    if (current.isEmpty() && !Files.exists(instancesFile)) {
      return false;
    }
    // Checked as the renderer will check it: a value it would refuse is named here, in this log.
    String json = VrrpInstances.of(proxyName, readyz, current).toJson();
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    VrrpInstances.parse(bytes);
    String sha = RenderResult.sha256(bytes);
    boolean written =
        DurableFile.writeIfChanged(
            instancesFile,
            json.getBytes(StandardCharsets.UTF_8),
            "rw-------"); // may hold a password
    if (written || !sha.equals(handedOverSha)) {
      handedOverNanos = System.nanoTime(); // a file found unchanged at start counts from now
      handedOverSha = sha;
    }
    if (!written) {
      return false;
    }
    log.info(
        "VRRP instances written to {} ({} VIP{}: {}); fulcrum-keepalived renders keepalived.conf",
        instancesFile,
        current.size(),
        current.size() == 1 ? "" : "s",
        current.stream().map(VirtualIp::cidr).toList());
    return true;
  }

  public Path instancesFile() {
    return instancesFile;
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
