package dev.fulcrum.operator.desired;

import dev.fulcrum.operator.crd.BackendsSpec;
import dev.fulcrum.operator.crd.ExternalLoadBalancerSpec;
import dev.fulcrum.operator.crd.HealthCheckSpec;
import dev.fulcrum.operator.crd.ProxySpec;
import dev.fulcrum.proxy.api.BackendConfig;
import dev.fulcrum.proxy.api.ConfigValidator;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a spec as the API server's schema and CEL rules would (the mock server enforces none);
 * each problem starts with the field path under {@code spec}.
 */
public final class SpecValidator {
  // A documentation address (RFC 5737) stands in for the backends while the spec is checked.
  private static final String PLACEHOLDER = "192.0.2.1";

  private SpecValidator() {}

  /** The spec's problems, empty when it can be pushed. */
  public static List<String> problems(ExternalLoadBalancerSpec spec) {
    List<String> out = new ArrayList<>();
    if (spec == null) {
      return List.of("spec: is required");
    }
    if (spec.frontend == null) {
      out.add("spec.frontend: is required");
    }
    checkBackends(spec.backends, out);
    checkProxies(
        spec.proxies, spec.frontend != null && Boolean.TRUE.equals(spec.frontend.unicast), out);
    if (spec.credentialsSecretRef == null || blank(spec.credentialsSecretRef.name)) {
      out.add("spec.credentialsSecretRef.name: is required");
    }
    checkHealthCheck(spec.healthCheck, out);
    if (spec.frontend != null
        && spec.frontend.vrrpPasswordKey != null
        && (spec.frontend.virtualIP == null || spec.frontend.virtualIP.contains(":"))) {
      out.add(
          "spec.frontend.vrrpPasswordKey: needs an IPv4 virtualIP: VRRP over IPv6 (VRRPv3) has no"
              + " authentication");
    }
    if (spec.frontend != null) {
      BackendConfig placeholder = new BackendConfig("placeholder", PLACEHOLDER, 1);
      for (String p : ConfigValidator.problems(SpecMapping.unstamped(spec, List.of(placeholder)))) {
        // Backends come from Nodes; priorities are reported at spec.proxies[].priority instead.
        if (!p.startsWith("backends") && !p.startsWith("frontend.priorities")) {
          out.add("spec." + p);
        }
      }
    }
    return List.copyOf(out);
  }

  private static void checkBackends(BackendsSpec b, List<String> out) {
    if (b == null) {
      return;
    }
    if (b.port != null && (b.port < 1 || b.port > 65535)) {
      out.add("spec.backends.port: must be between 1 and 65535 (got " + b.port + ")");
    }
    if (b.minBackends != null && b.minBackends < 1) {
      out.add("spec.backends.minBackends: must be at least 1 (got " + b.minBackends + ")");
    }
    if (b.staticEndpoints != null) {
      for (int i = 0; i < b.staticEndpoints.size(); i++) {
        String at = "spec.backends.static[" + i + "]";
        try {
          BackendConfig parsed = StaticEndpoint.parse(b.staticEndpoints.get(i));
          if (parsed.port() < 1 || parsed.port() > 65535) {
            out.add(at + ": port must be between 1 and 65535 (got " + parsed.port() + ")");
          }
        } catch (IllegalArgumentException e) {
          out.add(at + ": " + e.getMessage());
        }
      }
    }
  }

  private static void checkHealthCheck(HealthCheckSpec h, List<String> out) {
    if (h == null || h.clientCertificateSecretRef == null) {
      return;
    }
    if (h.mode != HealthCheckSpec.Mode.HTTPS) {
      out.add(
          "spec.healthCheck.clientCertificateSecretRef: is presented by HTTPS checks only: set"
              + " mode: HTTPS");
    }
    if (blank(h.clientCertificateSecretRef.name)) {
      out.add("spec.healthCheck.clientCertificateSecretRef.name: is required");
    }
  }

  private static void checkProxies(List<ProxySpec> proxies, boolean unicast, List<String> out) {
    if (proxies == null || proxies.isEmpty()) {
      out.add("spec.proxies: must name at least one proxy");
      return;
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < proxies.size(); i++) {
      ProxySpec p = proxies.get(i);
      String at = "spec.proxies[" + i + "]";
      if (p == null || blank(p.name)) {
        out.add(at + ".name: is required");
      } else if (!names.add(p.name)) {
        out.add(at + ".name: \"" + p.name + "\" is used by another proxy (names must be unique)");
      }
      if (p != null && p.priority != null && (p.priority < 1 || p.priority > 254)) {
        out.add(at + ".priority: must be between 1 and 254 (got " + p.priority + ")");
      }
      if (p != null && !isHttpsUrl(p.endpoint)) {
        out.add(at + ".endpoint: must be an https:// URL (got \"" + p.endpoint + "\")");
      }
      if (p != null && unicast && isHttpsUrl(p.endpoint) && SpecMapping.vrrpAddress(p) == null) {
        out.add(
            at
                + ".vrrpAddress: is required with frontend.unicast when the endpoint's host is not"
                + " an IP address (got \""
                + URI.create(p.endpoint).getHost()
                + "\")");
      }
    }
  }

  private static boolean isHttpsUrl(String s) {
    try {
      URI uri = s == null ? null : URI.create(s);
      return uri != null && "https".equals(uri.getScheme()) && uri.getHost() != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
