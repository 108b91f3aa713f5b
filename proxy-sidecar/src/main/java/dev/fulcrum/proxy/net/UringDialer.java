package dev.fulcrum.proxy.net;

import dev.fulcrum.proxy.api.BackendConfig;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Turns a backend's address into the socket address a direct-plane connect needs, in native memory.
 * IP literals are built once per endpoint and shared by every dial to it; host names are resolved
 * on the resolver threads each time (the JDK resolver blocks, and its cache honours DNS TTLs).
 */
final class UringDialer {
  // Bounded by the endpoints ever configured; cleared past this many.
  private static final int MAX_CACHED = 1024;

  private final Map<BackendConfig, UringOps.Sockaddr> literals = new ConcurrentHashMap<>();

  /** Calls {@code then} or {@code failed} on {@code loop}: at once for a literal, else later. */
  void resolve(
      BackendConfig backend,
      EventLoop loop,
      Consumer<UringOps.Sockaddr> then,
      Consumer<Exception> failed) {
    UringOps.Sockaddr cached = literals.get(backend);
    if (cached != null) {
      then.accept(cached);
      return;
    }
    String host = backend.address();
    if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
      UringOps.Sockaddr literal =
          UringOps.Sockaddr.of(new InetSocketAddress(host, backend.port())); // no lookup happens
      if (literals.size() >= MAX_CACHED) {
        literals.clear();
      }
      literals.put(backend, literal);
      then.accept(literal);
      return;
    }
    BackendDialer.RESOLVER.execute(
        () -> {
          try {
            UringOps.Sockaddr a =
                UringOps.Sockaddr.of(
                    new InetSocketAddress(InetAddress.getByName(host), backend.port()));
            loop.execute(() -> then.accept(a));
          } catch (UnknownHostException e) {
            loop.execute(() -> failed.accept(e));
          }
        });
  }
}
