package dev.fulcrum.proxy.net;

import dev.fulcrum.proxy.api.BackendConfig;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Turns a backend's address into what a dial needs ({@code T}: an {@link InetSocketAddress} for a
 * channel, a socket address in native memory for the direct plane). IP literals are built once per
 * endpoint and shared by every dial to it, without leaving the loop; host names are resolved on the
 * resolver threads each time (the JDK resolver blocks, and its cache honours DNS TTLs).
 */
public final class BackendAddresses<T> {
  private static final ExecutorService RESOLVER =
      Executors.newCachedThreadPool(new DefaultThreadFactory("fulcrum-resolve", true));

  // Bounded by the endpoints ever configured; cleared past this many.
  private static final int MAX_CACHED = 1024;

  private final Function<InetSocketAddress, T> build;
  private final Map<BackendConfig, T> literals = new ConcurrentHashMap<>();

  public BackendAddresses(Function<InetSocketAddress, T> build) {
    this.build = build;
  }

  /** Calls {@code then} or {@code failed} on {@code loop}: at once for a literal, else later. */
  public void resolve(
      BackendConfig backend, EventLoop loop, Consumer<T> then, Consumer<Exception> failed) {
    T cached = literals.get(backend);
    if (cached != null) {
      then.accept(cached);
      return;
    }
    String host = backend.address();
    if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
      T literal = build.apply(new InetSocketAddress(host, backend.port())); // no lookup happens
      if (literals.size() >= MAX_CACHED) {
        literals.clear();
      }
      literals.put(backend, literal);
      then.accept(literal);
      return;
    }
    RESOLVER.execute(
        () -> {
          try {
            T a = build.apply(new InetSocketAddress(InetAddress.getByName(host), backend.port()));
            loop.execute(() -> then.accept(a));
          } catch (UnknownHostException e) {
            loop.execute(() -> failed.accept(e));
          }
        });
  }
}
