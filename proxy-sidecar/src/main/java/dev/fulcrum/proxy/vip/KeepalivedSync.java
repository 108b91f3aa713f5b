package dev.fulcrum.proxy.vip;

import dev.fulcrum.proxy.ProxyConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps keepalived's config in step with the applied load balancers: renders it after each change,
 * rewrites it (and the track script beside it) only when the content differs, then reloads
 * keepalived. Runs on its own thread, so a push never waits for keepalived.
 */
public final class KeepalivedSync implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KeepalivedSync.class);
  public static final String SCRIPT_FILE = "fulcrum-readyz.sh";

  private final String proxyName;
  private final Path configPath;
  private final Path scriptPath;
  private final String script;
  private final Supplier<List<VirtualIp>> vips;
  private final KeepalivedReload reload;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "fulcrum-keepalived");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param readyz this proxy's readiness URL, which the track script asks
   * @param vips the VIPs of the applied load balancers, read on every sync
   */
  public KeepalivedSync(
      String proxyName,
      ProxyConfig.Keepalived settings,
      URI readyz,
      Supplier<List<VirtualIp>> vips) {
    this.proxyName = proxyName;
    this.configPath = Path.of(settings.configPath()).toAbsolutePath();
    this.scriptPath = configPath.resolveSibling(SCRIPT_FILE);
    this.script = ReadyzScript.render(readyz);
    this.vips = vips;
    this.reload = new KeepalivedReload(settings.pidFile(), settings.reloadCommand());
  }

  /** Schedules a sync; several changes in a burst are each rendered, but only a diff is written. */
  public void changed() {
    worker.execute(this::syncQuietly);
  }

  private void syncQuietly() {
    try {
      sync();
    } catch (IOException | RuntimeException e) {
      log.error("keepalived config {} not updated: {}", configPath, e.getMessage());
    }
  }

  /**
   * Renders and, when the content changed, writes and reloads.
   *
   * @return whether keepalived.conf was rewritten
   */
  public boolean sync() throws IOException {
    List<VirtualIp> current = vips.get();
    // No VIP and nothing written before: this host does not use keepalived through us.
    if (current.isEmpty() && !Files.exists(configPath)) {
      return false;
    }
    String config = KeepalivedConfig.render(proxyName, scriptPath.toString(), current);
    boolean scriptChanged = AtomicText.writeIfChanged(scriptPath, script, "rwx------");
    boolean configChanged = AtomicText.writeIfChanged(configPath, config, "rw-------");
    if (!configChanged && !scriptChanged) {
      return false;
    }
    log.info(
        "keepalived config {} rewritten ({} VIP{}: {}); reloading keepalived",
        configPath,
        current.size(),
        current.size() == 1 ? "" : "s",
        current.stream().map(VirtualIp::cidr).toList());
    reload.reload();
    return configChanged;
  }

  public Path configPath() {
    return configPath;
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
