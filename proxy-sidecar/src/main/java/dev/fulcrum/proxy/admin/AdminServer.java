package dev.fulcrum.proxy.admin;

import dev.fulcrum.proxy.engine.ProxyEngine;
import dev.fulcrum.proxy.http.HttpListener;
import dev.fulcrum.proxy.http.RequestDeadline;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's HTTPS listener (bearer token, optional mTLS), on its own event loop so pushes
 * never share a thread with proxied traffic.
 */
public final class AdminServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  /** Pushes are full configs of a few backends; anything near this is not a config. */
  static final int MAX_BODY_BYTES = 1 << 20;

  /**
   * Admin connections open at once; more are closed as they arrive. The operator needs one or two;
   * the rest of the room keeps it reachable while slow or unauthenticated clients (who hold no
   * body: the token is checked first) are cut off by the request deadline.
   */
  static final int MAX_CONNECTIONS = 256;

  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();

  private final AdminSettings settings;
  private final Path stateDir;
  private final AdminApi api;
  private final ChangeFeed feed;
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();
  // Engine calls are synchronized and fsync; two threads let a GET pass a slow PUT.
  private final ThreadPoolExecutor executor =
      new ThreadPoolExecutor(
          2,
          2,
          30,
          TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(64),
          new DefaultThreadFactory("fulcrum-admin", true));
  private HttpListener listener;

  /**
   * @param stateDir where a self-signed certificate is kept when none is configured
   * @param vipHeld whether this host holds the VIP now; may be null or return null (unknown)
   */
  public AdminServer(
      AdminSettings settings, Path stateDir, ProxyEngine engine, Supplier<Boolean> vipHeld) {
    this.settings = settings;
    this.stateDir = stateDir;
    this.api = new AdminApi(engine, new TokenFile(settings.tokenFile()), vipHeld);
    this.feed = new ChangeFeed(engine, vipHeld);
    api.feed(feed);
  }

  /** Loads or makes the TLS material and binds; throws with the cause when either fails. */
  public AdminServer start() throws IOException {
    SslContext tls;
    try {
      tls = AdminTls.serverContext(settings, stateDir);
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    long deadlineMillis = settings.requestTimeout().toMillis();
    InetSocketAddress at = new InetSocketAddress(settings.host(), settings.port());
    try {
      listener =
          HttpListener.bind(
              "fulcrum-admin-io",
              at,
              "admin API",
              p -> {
                if (!admit(p.channel())) {
                  return;
                }
                p.channel().config().setAllocator(HeapAllocator.INSTANCE);
                p.addLast(tls.newHandler(HeapAllocator.INSTANCE))
                    .addLast(new HttpServerCodec())
                    .addLast(new TokenGate(api))
                    .addLast(new BodyLimit())
                    .addLast(new RequestDeadline(deadlineMillis))
                    .addLast(new AdminHandler(api, executor, feed));
              });
    } catch (IOException e) {
      close();
      throw e;
    }
    log.info(
        "admin API listening on https://{} ({})",
        listener.hostPort(),
        settings.clientCaFile() == null ? "bearer token" : "bearer token and client certificate");
    return this;
  }

  /** Counts the connection in, or closes it when {@link #MAX_CONNECTIONS} are open. */
  private boolean admit(Channel ch) {
    if (open.incrementAndGet() > MAX_CONNECTIONS) {
      open.decrementAndGet();
      long n = refused.incrementAndGet();
      if (n == 1 || n % 100 == 0) {
        log.warn(
            "admin API: {} connections open, the most allowed; closing {} ({} refused so far)",
            MAX_CONNECTIONS,
            ch.remoteAddress(),
            n);
      }
      ch.close();
      return false;
    }
    ch.closeFuture().addListener(f -> open.decrementAndGet());
    return true;
  }

  /** The bound address, e.g. to learn the port chosen for port 0. */
  public InetSocketAddress localAddress() {
    return listener == null ? null : listener.localAddress();
  }

  /** Aggregates a request body up to {@link #MAX_BODY_BYTES}; answers 413 past it, and says so. */
  private static final class BodyLimit extends HttpObjectAggregator {
    BodyLimit() {
      super(MAX_BODY_BYTES);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized)
        throws Exception {
      log.warn(
          "admin {} from {} refused: 413 (body over {} bytes)",
          oversized instanceof HttpRequest req ? req.method() + " " + req.uri() : "request",
          ctx.channel().remoteAddress(),
          MAX_BODY_BYTES);
      super.handleOversizedMessage(ctx, oversized);
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (listener != null) {
      listener.close();
    }
    executor.shutdownNow();
    feed.close();
  }
}
