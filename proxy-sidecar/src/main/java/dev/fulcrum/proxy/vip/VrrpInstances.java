package dev.fulcrum.proxy.vip;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fulcrum.proxy.api.ConfigValidator;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The hand-off between the unprivileged proxy and root's keepalived: the VRRP instances this host's
 * load balancers need, as data. The proxy writes it ({@link KeepalivedSync}); {@link
 * KeepalivedRender}, run as root, checks every field again before anything reaches keepalived.conf,
 * so the file grants its writer nothing beyond these values.
 *
 * @param format 1
 * @param proxy the proxy's name, shown in the rendered file
 * @param readyzUrl what each instance's track script asks, with {@code ?vip=} added
 * @param instances one per distinct VIP
 */
public record VrrpInstances(int format, String proxy, String readyzUrl, List<Instance> instances) {
  public static final int FORMAT = 1;

  /** Larger than any real host's instances; a bigger file is refused unread. */
  static final long MAX_BYTES = 1 << 20;

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final Pattern LOAD_BALANCER = Pattern.compile("[a-z0-9][a-z0-9.-]{0,252}");
  private static final Pattern CIDR = Pattern.compile("([0-9A-Fa-f.:]{2,45})/([0-9]{1,3})");

  /**
   * One VRRP instance.
   *
   * @param virtualIP the VIP with its prefix
   * @param priority this host's priority for it
   * @param loadBalancers the load balancers served on it, for the reader of the rendered file
   * @param unicastSource this host's address for unicast VRRP; null for multicast
   * @param unicastPeers the other hosts' addresses, with unicastSource
   * @param preemptDelaySeconds keepalived's preempt_delay; null for none
   * @param authPassword VRRP PASS authentication; null for none. Never printed
   */
  public record Instance(
      String virtualIP,
      @JsonProperty("interface") String interfaceName,
      int virtualRouterId,
      int priority,
      List<String> loadBalancers,
      String unicastSource,
      List<String> unicastPeers,
      Integer preemptDelaySeconds,
      String authPassword) {
    @Override
    public String toString() {
      return "Instance["
          + virtualIP
          + " on "
          + interfaceName
          + ", router id "
          + virtualRouterId
          + "]";
    }
  }

  /** What this proxy's applied VIPs need, with this proxy's own priority for each. */
  static VrrpInstances of(String proxy, URI readyz, List<VirtualIp> vips) {
    List<Instance> out = new ArrayList<>();
    for (VirtualIp v : vips) {
      out.add(
          new Instance(
              v.cidr(),
              v.interfaceName(),
              v.virtualRouterId(),
              v.priorityOf(proxy).orElse(KeepalivedConfig.DEFAULT_PRIORITY),
              v.loadBalancerIds(),
              v.unicastSourceOf(proxy).orElse(null),
              v.unicastSourceOf(proxy).isPresent() ? v.unicastPeersOf(proxy) : null,
              v.preemptDelaySeconds(),
              v.vrrpPassword()));
    }
    return new VrrpInstances(FORMAT, proxy, readyz.toString(), List.copyOf(out));
  }

  String toJson() {
    try {
      return JSON.writeValueAsString(this) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Parses and checks every field, as root does before rendering.
   *
   * @throws IllegalArgumentException naming the field and the cause
   */
  static VrrpInstances parse(byte[] json) {
    VrrpInstances v;
    try {
      v = JSON.readValue(json, VrrpInstances.class);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IllegalArgumentException("not the instances JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IllegalArgumentException("not the instances JSON: " + e.getMessage());
    }
    if (v == null) {
      throw new IllegalArgumentException("empty");
    }
    v.check();
    return v;
  }

  private void check() {
    if (format != FORMAT) {
      throw new IllegalArgumentException("format: must be " + FORMAT + " (got " + format + ")");
    }
    if (proxy == null || !NAME.matcher(proxy).matches()) {
      throw new IllegalArgumentException("proxy: not a plain name (got " + quoted(proxy) + ")");
    }
    if (readyzUrl == null) {
      throw new IllegalArgumentException("readyzUrl: is required");
    }
    try {
      ReadyzScript.render(URI.create(readyzUrl));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("readyzUrl: " + e.getMessage());
    }
    if (instances == null) {
      throw new IllegalArgumentException("instances: is required");
    }
    for (int i = 0; i < instances.size(); i++) {
      check("instances[" + i + "]", instances.get(i));
    }
  }

  private static void check(String at, Instance in) {
    if (in == null) {
      throw new IllegalArgumentException(at + ": is null");
    }
    var m = in.virtualIP() == null ? null : CIDR.matcher(in.virtualIP());
    if (m == null || !m.matches() || !isAddress(m.group(1))) {
      throw new IllegalArgumentException(
          at + ".virtualIP: not an address/prefix (got " + quoted(in.virtualIP()) + ")");
    }
    int prefix = Integer.parseInt(m.group(2));
    int max = m.group(1).contains(":") ? 128 : 32;
    if (prefix > max) {
      throw new IllegalArgumentException(
          at + ".virtualIP: prefix must be at most " + max + " (got " + prefix + ")");
    }
    if (in.interfaceName() == null || !ConfigValidator.isInterfaceName(in.interfaceName())) {
      throw new IllegalArgumentException(
          at + ".interface: not a plain interface name (got " + quoted(in.interfaceName()) + ")");
    }
    range(at + ".virtualRouterId", in.virtualRouterId(), 1, 255);
    range(at + ".priority", in.priority(), 1, 254);
    if (in.unicastSource() != null || in.unicastPeers() != null) {
      if (in.unicastSource() == null
          || !isAddress(in.unicastSource())
          || in.unicastPeers() == null
          || in.unicastPeers().isEmpty()
          || in.unicastPeers().size() > 16) {
        throw new IllegalArgumentException(
            at
                + ".unicastSource: unicast needs this host's address and 1 to 16 peers (got "
                + quoted(String.valueOf(in.unicastSource()))
                + ")");
      }
      for (int p = 0; p < in.unicastPeers().size(); p++) {
        String peer = in.unicastPeers().get(p);
        if (peer == null || !isAddress(peer)) {
          throw new IllegalArgumentException(
              at + ".unicastPeers[" + p + "]: not an address (got " + quoted(peer) + ")");
        }
      }
    }
    if (in.preemptDelaySeconds() != null) {
      range(at + ".preemptDelaySeconds", in.preemptDelaySeconds(), 0, 1000);
    }
    if (in.authPassword() != null
        && (!ConfigValidator.isVrrpPassword(in.authPassword()) || m.group(1).contains(":"))) {
      throw new IllegalArgumentException(
          at + ".authPassword: only for an IPv4 VIP, and " + ConfigValidator.VRRP_PASSWORD_RULE);
    }
    if (in.loadBalancers() == null
        || in.loadBalancers().stream()
            .anyMatch(id -> id == null || !LOAD_BALANCER.matcher(id).matches())) {
      throw new IllegalArgumentException(
          at + ".loadBalancers: must be load balancer ids (namespace.name)");
    }
  }

  /** An IPv4 or IPv6 literal; never a name (no lookup is ever made). */
  private static boolean isAddress(String literal) {
    return ConfigValidator.isIpLiteral(literal);
  }

  /** A value from the file as a JSON-like string: a newline in it cannot forge a log line. */
  static String quoted(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  private static void range(String field, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          field + ": must be between " + min + " and " + max + " (got " + value + ")");
    }
  }

  /** This proxy's unicast map as the renderer reads it: itself, then its peers in order. */
  private Map<String, String> unicast(Instance i) {
    if (i.unicastSource() == null) {
      return Map.of();
    }
    Map<String, String> out = new java.util.TreeMap<>();
    out.put(proxy, i.unicastSource());
    for (int p = 0; p < i.unicastPeers().size(); p++) {
      out.put(proxy + "~peer-" + String.format("%02d", p), i.unicastPeers().get(p));
    }
    return out;
  }

  /** The instances as the renderer's VIPs; each carries only this proxy's priority. */
  List<VirtualIp> vips() {
    return instances.stream()
        .map(
            i ->
                new VirtualIp(
                    i.virtualIP(),
                    i.interfaceName(),
                    i.virtualRouterId(),
                    Map.of(proxy, i.priority()),
                    List.copyOf(i.loadBalancers()),
                    unicast(i),
                    i.preemptDelaySeconds(),
                    i.authPassword()))
        .toList();
  }
}
