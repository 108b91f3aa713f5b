package dev.fulcrum.proxy.telemetry;

import dev.fulcrum.proxy.engine.ProxyEngine;
import dev.fulcrum.proxy.http.HttpListener;
import dev.fulcrum.proxy.http.RequestDeadline;
import dev.fulcrum.proxy.metrics.ProxyMetrics;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
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
  private HttpListener listener;

  public TelemetryServer(InetSocketAddress at, ProxyEngine engine, ProxyMetrics metrics) {
    this.at = at;
    this.engine = engine;
    this.metrics = metrics;
  }

  /** Binds; throws with the cause when it cannot. */
  public TelemetryServer start() throws IOException {
    listener =
        HttpListener.bind(
            "fulcrum-telemetry",
            at,
            "telemetry",
            p ->
                p.addLast(new HttpServerCodec())
                    .addLast(new HttpObjectAggregator(8192))
                    .addLast(new RequestDeadline(REQUEST_DEADLINE_MILLIS))
                    .addLast(new TelemetryHandler(engine, metrics)));
    log.info("telemetry listening on http://{} (/metrics /healthz /readyz)", listener.hostPort());
    return this;
  }

  public InetSocketAddress localAddress() {
    return listener == null ? null : listener.localAddress();
  }

  @Override
  public void close() {
    if (listener != null) {
      listener.close();
    }
  }
}
