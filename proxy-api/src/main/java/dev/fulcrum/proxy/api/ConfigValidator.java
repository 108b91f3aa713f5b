package dev.fulcrum.proxy.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks a {@link LoadBalancerConfig}; every problem names its field. */
public final class ConfigValidator {
  private static final Pattern INTERFACE_NAME = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");
  private static final Pattern VRRP_PASSWORD = Pattern.compile("[A-Za-z0-9._\\-+=@%^&*:,/?~]{1,8}");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern HOST_NAME =
      Pattern.compile(
          "(?i)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*");
  private static final Pattern IPV4 =
      Pattern.compile(
          "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

  private final List<String> problems = new ArrayList<>();

  private ConfigValidator() {}

  /** Throws {@link InvalidConfigException} for a load balancer id that is not {@code ns.name}. */
  public static void checkId(String id) {
    String[] parts = id == null ? new String[0] : id.split("\\.", -1);
    if (parts.length != 2
        || !DNS_LABEL.matcher(parts[0]).matches()
        || !HOST_NAME.matcher(parts[1]).matches()
        || parts[1].length() > 253) {
      throw new InvalidConfigException(
          "id", "\"" + id + "\" is not {namespace}.{name} of lowercase DNS labels");
    }
  }

  /** The problems of a config, empty when it is valid. */
  public static List<String> problems(LoadBalancerConfig c) {
    ConfigValidator v = new ConfigValidator();
    v.check(c);
    return List.copyOf(v.problems);
  }

  /** Throws {@link InvalidConfigException} naming the first problem of a config. */
  public static void validate(LoadBalancerConfig config) {
    throwFirst(problems(config));
  }

  /**
   * As {@link #validate} for a config {@link LoadBalancerConfig#stamped stamped} by its receiver,
   * whose version is its content's by construction (so it is not hashed again): the version the
   * pusher claimed, null for none, must be that one.
   */
  public static void validateStamped(LoadBalancerConfig stamped, String claimedVersion) {
    List<String> found =
        new java.util.ArrayList<>(problems(stamped.withVersion(null, stamped.epoch())));
    if (claimedVersion != null && !claimedVersion.equals(stamped.version())) {
      int at = !found.isEmpty() && found.get(0).startsWith("epoch:") ? 1 : 0;
      found.add(
          at,
          "version: does not match the content (the content hashes to " + stamped.version() + ")");
    }
    throwFirst(found);
  }

  private static void throwFirst(List<String> found) {
    if (!found.isEmpty()) {
      String first = found.get(0);
      int colon = first.indexOf(": ");
      throw new InvalidConfigException(first.substring(0, colon), first.substring(colon + 2));
    }
  }

  private void check(LoadBalancerConfig c) {
    if (c.epoch() < 0) {
      add("epoch", "must not be negative (got " + c.epoch() + ")");
    }
    if (c.version() != null) {
      String content = c.contentVersion();
      if (!c.version().equals(content)) {
        add("version", "does not match the content (the content hashes to " + content + ")");
      }
    }
    FrontendConfig f = c.frontend();
    if (f.port() == null) {
      add("frontend.port", "is required");
    } else {
      range("frontend.port", f.port(), 1, 65535);
    }
    if (!isIpLiteral(f.bind())) {
      add("frontend.bind", "must be an IP address literal (got \"" + f.bind() + "\")");
    }
    if (f.virtualIP() != null && !isCidr(f.virtualIP())) {
      add(
          "frontend.virtualIP",
          "must be an address with a prefix, e.g. 10.10.10.100/24 (got \"" + f.virtualIP() + "\")");
    }
    if (f.virtualRouterId() != null) {
      range("frontend.virtualRouterId", f.virtualRouterId(), 1, 255);
    }
    if (f.virtualIP() != null) {
      if (blank(f.interfaceName())) {
        add("frontend.interface", "is required with a virtualIP (the interface keepalived uses)");
      } else if (!INTERFACE_NAME.matcher(f.interfaceName()).matches()) {
        // It is written into keepalived.conf, which keepalived reads as root.
        add(
            "frontend.interface",
            "must be an interface name like eth1 (got \"" + f.interfaceName() + "\")");
      }
      if (f.virtualRouterId() == null) {
        add("frontend.virtualRouterId", "is required with a virtualIP");
      }
    }
    if (f.priorities() != null) {
      f.priorities()
          .forEach(
              (proxy, priority) -> {
                if (blank(proxy)) {
                  add("frontend.priorities", "proxy names must not be empty");
                } else {
                  range("frontend.priorities." + proxy, priority, 1, 254);
                }
              });
    }
    if (f.unicastPeers() != null) {
      if (f.virtualIP() == null) {
        add("frontend.unicastPeers", "is only used with a virtualIP");
      }
      if (f.unicastPeers().size() < 2) {
        add("frontend.unicastPeers", "needs this proxy and at least one peer");
      }
      f.unicastPeers()
          .forEach(
              (proxy, address) -> {
                if (blank(proxy)) {
                  add("frontend.unicastPeers", "proxy names must not be empty");
                } else if (!isIpLiteral(address) || isWildcard(address)) {
                  // It is written into keepalived.conf, which keepalived reads as root.
                  add(
                      "frontend.unicastPeers." + proxy,
                      "must be the proxy's IP address on the VRRP interface (got \""
                          + address
                          + "\")");
                }
              });
    }
    if (f.preemptDelaySeconds() != null) {
      if (f.virtualIP() == null) {
        add("frontend.preemptDelaySeconds", "is only used with a virtualIP");
      }
      range("frontend.preemptDelaySeconds", f.preemptDelaySeconds(), 0, 1000);
    }
    if (f.vrrpPassword() != null) {
      if (f.virtualIP() == null || f.virtualIP().contains(":")) {
        add(
            "frontend.vrrpPassword",
            "is only used with an IPv4 virtualIP (VRRP over IPv6 has no authentication)");
      }
      if (!isVrrpPassword(f.vrrpPassword())) {
        // The value is never echoed: it is a credential.
        add("frontend.vrrpPassword", VRRP_PASSWORD_RULE);
      }
    }
    HealthCheckConfig h = c.healthCheck();
    range("healthCheck.intervalSeconds", h.intervalSeconds(), 1, 3600);
    range("healthCheck.downIntervalSeconds", h.downIntervalSeconds(), 1, 3600);
    range("healthCheck.rise", h.rise(), 1, 100);
    range("healthCheck.fall", h.fall(), 1, 100);
    range("healthCheck.timeoutSeconds", h.timeoutSeconds(), 1, 60);
    if (h.mode() == HealthCheckMode.HTTPS) {
      if (!h.path().startsWith("/")) {
        add("healthCheck.path", "must start with / (got \"" + h.path() + "\")");
      }
      range("healthCheck.expectStatus", h.expectStatus(), 100, 599);
    } else if (h.clientCertificate() != null) {
      add("healthCheck.clientCertificate", "is only used with mode HTTPS");
    }
    if (h.clientCertificate() != null
        && (blank(h.clientCertificate().certificate())
            || blank(h.clientCertificate().privateKey()))) {
      add("healthCheck.clientCertificate", "needs both certificate and privateKey");
    }
    TimeoutsConfig t = c.timeouts();
    range("timeouts.connectSeconds", t.connectSeconds(), 1, 300);
    range("timeouts.idleSeconds", t.idleSeconds(), 1, 604800);
    range("timeouts.drainSeconds", t.drainSeconds(), 0, 3600);
    range("maxConnections", c.maxConnections(), 1, 1_000_000);
    range("rebalance.closesPerSecond", c.rebalance().closesPerSecond(), 0, 1000);
    range("rebalance.tolerancePercent", c.rebalance().tolerancePercent(), 1, 100);
    range(
        "admission.newConnectionsPerSecond", c.admission().newConnectionsPerSecond(), 0, 1_000_000);
    range("admission.dialsInFlight", c.admission().dialsInFlight(), 1, 100_000);
    checkBackends(c.backends());
  }

  private void checkBackends(List<BackendConfig> backends) {
    if (backends.isEmpty()) {
      add("backends", "must not be empty (a frontend without backends refuses every client)");
    }
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < backends.size(); i++) {
      BackendConfig b = backends.get(i);
      String at = "backends[" + i + "]";
      if (b == null) {
        add(at, "must not be null");
        continue;
      }
      if (blank(b.name())) {
        add(at + ".name", "is required");
      }
      if (blank(b.address())
          || !(isIpLiteral(b.address()) || HOST_NAME.matcher(b.address()).matches())) {
        add(at + ".address", "must be an IP address or host name (got \"" + b.address() + "\")");
      }
      range(at + ".port", b.port(), 1, 65535);
      Integer first = seen.putIfAbsent(b.endpoint(), i);
      if (first != null) {
        add(at, "duplicates backends[" + first + "] (" + b.endpoint() + ")");
      }
    }
  }

  private void range(String field, Integer value, int min, int max) {
    if (value == null || value < min || value > max) {
      add(field, "must be between " + min + " and " + max + " (got " + value + ")");
    }
  }

  private void add(String field, String problem) {
    problems.add(field + ": " + problem);
  }

  /** {@code 0.0.0.0} or {@code ::} (in either spelling): every address of its family. */
  public static boolean isWildcard(String address) {
    return address.equals("0.0.0.0") || address.equals("::") || address.equals("0:0:0:0:0:0:0:0");
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  /** True for an IPv4 dotted quad or an IPv6 literal (no brackets); never does a DNS lookup. */
  /**
   * A plain interface name, e.g. eth1: it is written into keepalived.conf, which keepalived reads
   * as root.
   */
  public static boolean isInterfaceName(String s) {
    return s != null && INTERFACE_NAME.matcher(s).matches();
  }

  /**
   * What keepalived takes as an {@code auth_pass} unchanged: it keeps 8 characters (the rest would
   * be cut silently), and reads {@code #}, {@code !}, {@code $} and quotes as syntax.
   */
  public static boolean isVrrpPassword(String s) {
    return s != null && VRRP_PASSWORD.matcher(s).matches();
  }

  public static final String VRRP_PASSWORD_RULE =
      "must be 1 to 8 characters of A-Z a-z 0-9 . _ - + = @ % ^ & * : , / ? ~ (value not shown)";

  public static boolean isIpLiteral(String s) {
    if (s == null || s.isEmpty()) {
      return false;
    }
    if (IPV4.matcher(s).matches()) {
      return true;
    }
    if (!s.contains(":") || !s.matches("[0-9a-fA-F:.]+")) {
      return false;
    }
    try {
      return java.net.InetAddress.getByName(s) instanceof java.net.Inet6Address;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static boolean isCidr(String s) {
    int slash = s.indexOf('/');
    if (slash < 0 || !isIpLiteral(s.substring(0, slash))) {
      return false;
    }
    try {
      int prefix = Integer.parseInt(s.substring(slash + 1));
      return prefix >= 0 && prefix <= (s.contains(":") ? 128 : 32);
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
