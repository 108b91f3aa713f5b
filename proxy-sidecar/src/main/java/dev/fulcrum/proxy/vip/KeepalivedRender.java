package dev.fulcrum.proxy.vip;

import dev.fulcrum.proxy.store.DurableFile;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * fulcrum-keepalived, run as root by {@code deploy/systemd/fulcrum-keepalived.service} whenever the
 * proxy's instances file changes: checks every field of that file (the proxy's user wrote it),
 * renders keepalived.conf and the track script beside it (both root's, not writable by anyone
 * else), and reloads keepalived when either changed. A file that fails a check changes nothing and
 * is named with the field in the exit message (the journal shows it).
 *
 * <pre>
 * KeepalivedRender --instances FILE --config KEEPALIVED_CONF (--pid-file FILE | --reload-command CMD)
 *     [--result FILE]
 * </pre>
 *
 * <p>With {@code --result}, each run also writes what became of the instances it read (their
 * SHA-256, and the refusal if any) to a root-owned file the proxy may read, so the proxy can report
 * a refused or never-rendered hand-off in {@code /v1/status} and the operator on the resource.
 */
public final class KeepalivedRender {
  private KeepalivedRender() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    String instances = null;
    String config = null;
    String pidFile = null;
    String reload = null;
    String result = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--instances" -> instances = args[i + 1];
        case "--config" -> config = args[i + 1];
        case "--pid-file" -> pidFile = args[i + 1];
        case "--reload-command" -> reload = args[i + 1];
        case "--result" -> result = args[i + 1];
        default -> {
          err.println("fulcrum-keepalived: unknown option " + args[i]);
          return 2;
        }
      }
    }
    if (args.length % 2 != 0
        || instances == null
        || config == null
        || (pidFile == null) == (reload == null)) {
      err.println(
          "usage: KeepalivedRender --instances FILE --config KEEPALIVED_CONF"
              + " (--pid-file FILE | --reload-command CMD) [--result FILE]");
      return 2;
    }
    Path from = Path.of(instances);
    Path conf = Path.of(config).toAbsolutePath();
    byte[] read = null;
    String error = null;
    try {
      String rendered;
      Path script = conf.resolveSibling(KeepalivedSync.SCRIPT_FILE);
      String scriptText;
      if (!Files.exists(from)) {
        rendered = KeepalivedConfig.render("none", script.toString(), List.of());
        scriptText = null;
      } else {
        if (Files.size(from) > VrrpInstances.MAX_BYTES) {
          throw new IllegalArgumentException("larger than " + VrrpInstances.MAX_BYTES + " bytes");
        }
        read = Files.readAllBytes(from);
        VrrpInstances v = VrrpInstances.parse(read);
        rendered = KeepalivedConfig.render(v.proxy(), script.toString(), v.vips());
        scriptText = ReadyzScript.render(URI.create(v.readyzUrl()));
      }
      boolean changed =
          scriptText != null
              && DurableFile.writeIfChanged(
                  script, scriptText.getBytes(StandardCharsets.UTF_8), "rwx------");
      changed |=
          DurableFile.writeIfChanged(conf, rendered.getBytes(StandardCharsets.UTF_8), "rw-------");
      if (!changed) {
        out.println("fulcrum-keepalived: " + conf + " is up to date");
      } else {
        out.println("fulcrum-keepalived: " + conf + " rewritten from " + from);
        new KeepalivedReload(pidFile, reload).reload();
      }
    } catch (IllegalArgumentException e) {
      error = from + ": " + e.getMessage();
    } catch (IOException e) {
      error = e.getMessage();
    }
    if (error != null) {
      err.println("fulcrum-keepalived: " + error + "; " + conf + " left as it was");
    }
    if (result != null) {
      try {
        DurableFile.writeIfChanged(
            Path.of(result),
            RenderResult.of(read, error).toJson().getBytes(StandardCharsets.UTF_8),
            "rw-r--r--");
      } catch (IOException e) {
        err.println("fulcrum-keepalived: result not written: " + e.getMessage());
      }
    }
    return error == null ? 0 : 1;
  }
}
