package dev.fulcrum.proxy.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.fulcrum.proxy.api.ConfigValidator;
import dev.fulcrum.proxy.api.InvalidConfigException;
import dev.fulcrum.proxy.api.LoadBalancerConfig;
import dev.fulcrum.proxy.api.WireJson;
import dev.fulcrum.proxy.net.Transport;
import dev.fulcrum.proxy.vip.ReadyzScript;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads and checks {@code proxy.yaml}; every error names the file, the line and the field. */
public final class ProxyConfigLoader {
  private static final ObjectMapper YAML =
      YAMLMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .build();

  private ProxyConfigLoader() {}

  /** A config file that cannot be used; the message is meant for the operator of the lb host. */
  public static final class ConfigFileException extends Exception {
    public ConfigFileException(String message) {
      super(message);
    }
  }

  public static ProxyConfig load(Path file) throws ConfigFileException {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigFileException(file + ": cannot read (" + e + ")");
    }
    ProxyConfig config;
    try {
      config = YAML.readValue(text, ProxyConfig.class);
    } catch (JsonMappingException e) {
      InvalidConfigException problem = WireJson.invalid(e);
      throw new ConfigFileException(at(file, lineOf(text, problem.field())) + problem.getMessage());
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
      throw new ConfigFileException(at(file, line) + "not valid YAML: " + e.getOriginalMessage());
    }
    if (config == null) {
      throw new ConfigFileException(file + ": is empty");
    }
    List<String> problems = problems(config);
    if (!problems.isEmpty()) {
      String first = problems.get(0);
      String field = first.substring(0, first.indexOf(": "));
      throw new ConfigFileException(at(file, lineOf(text, field)) + first);
    }
    return config;
  }

  private static List<String> problems(ProxyConfig c) {
    List<String> out = new ArrayList<>();
    if (c.name() == null || c.name().isBlank()) {
      out.add("name: is required");
    }
    if (c.stateDir() == null || c.stateDir().isBlank()) {
      out.add("stateDir: is required");
    }
    if (c.admin() == null || c.admin().listen() == null) {
      out.add("admin.listen: is required (e.g. 0.0.0.0:9443)");
    } else {
      listen(out, "admin.listen", c.admin().listen());
      if (c.admin().tokenFile() == null) {
        out.add("admin.tokenFile: is required (the admin API never runs without a token)");
      }
      if ((c.admin().certFile() == null) != (c.admin().keyFile() == null)) {
        out.add("admin.certFile: certFile and keyFile go together");
      }
    }
    if (c.telemetry() != null && c.telemetry().listen() != null) {
      listen(out, "telemetry.listen", c.telemetry().listen());
    }
    if (c.frontendBind() != null && !ConfigValidator.isIpLiteral(c.frontendBind())) {
      out.add("frontendBind: must be an IP address literal (got \"" + c.frontendBind() + "\")");
    }
    if (c.workerThreads() != null && (c.workerThreads() < 0 || c.workerThreads() > 256)) {
      out.add("workerThreads: must be between 0 and 256 (got " + c.workerThreads() + ")");
    }
    if ("io_uring-channels".equals(c.transport())) {
      out.add("transport: io_uring-channels was removed; io_uring is the io_uring data plane");
    } else if (c.transport() != null && Transport.Kind.parse(c.transport()) == null) {
      out.add("transport: must be io_uring, epoll or nio (got \"" + c.transport() + "\")");
    }
    seconds(out, "shutdownDelaySeconds", c.shutdownDelaySeconds(), 0, 600);
    seconds(out, "drainSeconds", c.drainSeconds(), 0, 3600);
    keepalived(out, c);
    Set<String> ids = new HashSet<>();
    List<ProxyConfig.StaticLoadBalancer> lbs = c.staticLoadBalancers();
    for (int i = 0; i < lbs.size(); i++) {
      String at = "loadBalancers[" + i + "]";
      ProxyConfig.StaticLoadBalancer lb = lbs.get(i);
      try {
        ConfigValidator.checkId(lb.id());
      } catch (InvalidConfigException e) {
        out.add(at + ".id: " + e.getMessage().substring("id: ".length()));
        continue;
      }
      if (!ids.add(lb.id())) {
        out.add(at + ".id: \"" + lb.id() + "\" is listed twice");
      }
      LoadBalancerConfig config = lb.toConfig(0);
      ConfigValidator.problems(config).forEach(p -> out.add(at + "." + p));
    }
    return out;
  }

  private static void seconds(List<String> out, String field, Integer value, int min, int max) {
    if (value != null && (value < min || value > max)) {
      out.add(field + ": must be between " + min + " and " + max + " seconds (got " + value + ")");
    }
  }

  private static void keepalived(List<String> out, ProxyConfig c) {
    ProxyConfig.Keepalived k = c.keepalived();
    if (k == null) {
      return;
    }
    for (String[] old :
        new String[][] {
          {"configPath", k.configPath()},
          {"pidFile", k.pidFile()},
          {"reloadCommand", k.reloadCommand()}
        }) {
      if (old[1] != null) {
        out.add(
            "keepalived."
                + old[0]
                + ": no longer used: the proxy does not write keepalived.conf or reload keepalived"
                + " (root's keepalived must not load a file the proxy's user can write); set"
                + " keepalived.instancesFile and install fulcrum-keepalived (deploy/LB-HOSTS.md)");
      }
    }
    if (k.instancesFile() == null || !Path.of(k.instancesFile()).isAbsolute()) {
      out.add(
          "keepalived.instancesFile: is required, an absolute path (e.g."
              + " /var/lib/fulcrum/vrrp-instances.json)");
    }
    if (k.readyzUrl() != null) {
      try {
        ReadyzScript.render(URI.create(k.readyzUrl()));
      } catch (IllegalArgumentException e) {
        out.add("keepalived.readyzUrl: " + e.getMessage());
      }
    } else if (c.telemetry() == null || c.telemetry().listen() == null) {
      out.add(
          "keepalived.readyzUrl: is required when telemetry.listen is not set (the track script asks /readyz)");
    }
  }

  private static void listen(List<String> out, String field, String value) {
    try {
      ProxyConfig.parseListen(value);
    } catch (IllegalArgumentException e) {
      out.add(field + ": " + e.getMessage());
    }
  }

  private static String at(Path file, int line) {
    return line > 0 ? file + ":" + line + ": " : file + ": ";
  }

  /** The 1-based line of a field path like {@code loadBalancers[0].backends[1].port}, or -1. */
  static int lineOf(String yaml, String fieldPath) {
    Node node = new Yaml(new LoaderOptions()).compose(new StringReader(yaml));
    int line = node == null ? -1 : node.getStartMark().getLine() + 1;
    for (String part : fieldPath.split("\\.")) {
      String key = part.contains("[") ? part.substring(0, part.indexOf('[')) : part;
      node = child(node, key);
      if (node == null) {
        return line;
      }
      line = node.getStartMark().getLine() + 1;
      for (int open = part.indexOf('['); open >= 0; open = part.indexOf('[', open + 1)) {
        int index = Integer.parseInt(part.substring(open + 1, part.indexOf(']', open)));
        if (!(node instanceof SequenceNode seq) || index >= seq.getValue().size()) {
          return line;
        }
        node = seq.getValue().get(index);
        line = node.getStartMark().getLine() + 1;
      }
    }
    return line;
  }

  private static Node child(Node node, String key) {
    if (key.isEmpty()) {
      return node;
    }
    if (node instanceof MappingNode map) {
      for (NodeTuple t : map.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
          return t.getValueNode();
        }
      }
    }
    return null;
  }
}
