package dev.fulcrum.proxy.telemetry;

import dev.fulcrum.proxy.engine.ProxyEngine;
import dev.fulcrum.proxy.http.HttpListener;
import dev.fulcrum.proxy.http.RequestDeadline;
import dev.fulcrum.proxy.metrics.ProxyMetrics;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plain-HTTP telemetry listener: {@code /metrics}, {@code /healthz} and {@code /readyz} (the
 * keepalived track script), on its own event loop.
 */
public final class TelemetryServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TelemetryServer.class);
  private static final long REQUEST_DEADLINE_MILLIS = 10_000;

  private final InetSocketAddress at;
  private final ProxyEngine engine;
  private final ProxyMetrics metrics;
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(
          1, new DefaultThreadFactory("fulcrum-telemetry", true), NioIoHandler.newFactory());
  private Channel listener;

  public TelemetryServer(InetSocketAddress at, ProxyEngine engine, ProxyMetrics metrics) {
    this.at = at;
    this.engine = engine;
    this.metrics = metrics;
  }

  /** Binds; throws with the cause when it cannot. */
  public TelemetryServer start() throws IOException {
    try {
      listener =
          HttpListener.bind(
              group,
              at,
              "telemetry",
              connections,
              p ->
                  p.addLast(new HttpServerCodec())
                      .addLast(new HttpObjectAggregator(8192))
                      .addLast(new RequestDeadline(REQUEST_DEADLINE_MILLIS))
                      .addLast(new TelemetryHandler(engine, metrics)));
    } catch (IOException e) {
      close();
      throw e;
    }
    log.info(
        "telemetry listening on http://{} (/metrics /healthz /readyz)",
        HttpListener.hostPort(listener));
    return this;
  }

  public InetSocketAddress localAddress() {
    return listener == null ? null : (InetSocketAddress) listener.localAddress();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (listener != null) {
      listener.close().syncUninterruptibly();
    }
    connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
