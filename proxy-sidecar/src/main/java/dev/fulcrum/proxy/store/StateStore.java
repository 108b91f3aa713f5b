package dev.fulcrum.proxy.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fulcrum.proxy.api.ConfigValidator;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.api.WireJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's applied state on disk ({@code state.json}), written atomically and fsynced; a file
 * that cannot be trusted is moved aside and reported, never silently dropped.
 */
public final class StateStore {
  private static final Logger log = LoggerFactory.getLogger(StateStore.class);
  private static final String FILE_NAME = "state.json";
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
  private static final ObjectWriter JSON =
      WireJson.MAPPER.writer(SerializationFeature.INDENT_OUTPUT);

  private final Path stateDir;
  private final Writer writer;

  public StateStore(Path stateDir) {
    this(stateDir, DurableFile::write);
  }

  /**
   * @param writer puts the bytes on disk, durably; {@link DurableFile#write} except in tests, which
   *     stand in a slow or failing disk
   */
  public StateStore(Path stateDir, Writer writer) {
    this.stateDir = stateDir;
    this.writer = writer;
  }

  /** The state file's path, or null without a state dir. */
  public Path file() {
    return stateDir == null ? null : stateDir.resolve(FILE_NAME);
  }

  /** What is on disk; a corrupt file is moved aside and reported in {@link Loaded#problem()}. */
  public Loaded load() {
    Path file = file();
    if (file == null) {
      return new Loaded(Map.of(), Map.of(), null);
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new Loaded(Map.of(), Map.of(), null); // first start: nothing applied yet
    } catch (IOException e) {
      return refuse(file, "it is unreadable: " + DurableFile.describe(e));
    }
    StateFile parsed;
    try {
      parsed = WireJson.MAPPER.readValue(bytes, StateFile.class);
    } catch (JsonProcessingException e) {
      // Jackson's location text names a redacted source; keep only line and column.
      String why = e.getOriginalMessage().replaceAll("\\[Source: [^;]*; ", "[");
      return refuse(file, "it is not valid state JSON: " + why);
    } catch (IOException e) {
      return refuse(file, "it is unreadable: " + DurableFile.describe(e));
    }
    String invalid = check(parsed);
    if (invalid != null) {
      return refuse(file, invalid);
    }
    return new Loaded(Map.copyOf(parsed.loadBalancers()), fences(parsed), null);
  }

  /** The fences; a file from before per-load-balancer fences has each config's epoch as its own. */
  private static Map<String, Long> fences(StateFile parsed) {
    if (parsed.fences() != null) {
      return Map.copyOf(parsed.fences()); // a re-adopted load balancer has none
    }
    Map<String, Long> out = new TreeMap<>();
    parsed.loadBalancers().forEach((id, c) -> out.put(id, c.epoch()));
    return Map.copyOf(out);
  }

  /** Null when every entry is a valid config under a valid id. */
  private static String check(StateFile parsed) {
    if (parsed == null || parsed.loadBalancers() == null) {
      return "it lacks loadBalancers";
    }
    if (parsed.fences() != null) {
      for (Map.Entry<String, Long> e : parsed.fences().entrySet()) {
        if (e.getValue() == null || e.getValue() < 0) {
          return "the fence of " + e.getKey() + " is not a non-negative number";
        }
      }
    }
    for (Map.Entry<String, LoadBalancerConfig> e : parsed.loadBalancers().entrySet()) {
      try {
        ConfigValidator.checkId(e.getKey());
        if (e.getValue() == null) {
          return "load balancer " + e.getKey() + " has no config";
        }
        ConfigValidator.validate(e.getValue());
      } catch (IllegalArgumentException invalid) {
        return "load balancer " + e.getKey() + " is invalid: " + invalid.getMessage();
      }
    }
    return null;
  }

  private Loaded refuse(Path file, String cause) {
    Path aside =
        file.resolveSibling(
            FILE_NAME + ".corrupt-" + ZonedDateTime.now(ZoneOffset.UTC).format(STAMP));
    for (int n = 1; Files.exists(aside); n++) {
      aside = file.resolveSibling(aside.getFileName() + "-" + n);
    }
    String where;
    try {
      Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
      where = "it was moved to " + aside;
    } catch (IOException e) {
      where = "it could not be moved aside (" + DurableFile.describe(e) + ")";
    }
    String problem =
        "The state file "
            + file
            + " was not loaded because "
            + cause
            + "; "
            + where
            + ", and this proxy serves nothing until the operator pushes again.";
    log.error(problem);
    return new Loaded(Map.of(), Map.of(), problem);
  }

  /** Replaces the state file atomically; returns only once it is durable. */
  public void save(Map<String, LoadBalancerConfig> loadBalancers, Map<String, Long> fences)
      throws IOException {
    Path file = file();
    if (file == null) {
      throw new IOException("no state dir is configured, so the state cannot be persisted");
    }
    byte[] json;
    try {
      json =
          JSON.writeValueAsBytes(
              new StateFile(null, new TreeMap<>(fences), new TreeMap<>(loadBalancers)));
    } catch (JsonProcessingException e) {
      throw new IOException("cannot serialize the state for " + file + ": " + e.getMessage(), e);
    }
    writer.write(file, json);
  }

  /** Replaces a file with new content; returns only once it is durable, or throws naming why. */
  @FunctionalInterface
  public interface Writer {
    void write(Path target, byte[] bytes) throws IOException;
  }

  /** The persisted state: load balancers and their fences by id, and any load problem. */
  public record Loaded(
      Map<String, LoadBalancerConfig> loadBalancers, Map<String, Long> fences, String problem) {}
}
