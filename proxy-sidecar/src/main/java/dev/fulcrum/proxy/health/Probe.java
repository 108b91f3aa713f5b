package dev.fulcrum.proxy.health;

import dev.fulcrum.proxy.api.HealthCheckConfig;
import dev.fulcrum.proxy.api.HealthCheckMode;
import dev.fulcrum.proxy.balance.Backend;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** One health check of one backend on a fresh connection, bounded by the config's timeout. */
final class Probe {
  // Name lookups block, so they never run on an event loop; IP literals (the usual case) skip this.
  private static final Executor RESOLVER =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "fulcrum-health-dns");
            t.setDaemon(true);
            return t;
          });

  private Probe() {}

  /**
   * Starts a check; the future succeeds when the backend passed and fails with a {@link
   * CheckFailure} otherwise. Cancelling it abandons the check and closes its connection.
   */
  static Future<Void> run(
      Backend backend,
      CheckSettings settings,
      EventLoop loop,
      Class<? extends SocketChannel> channelClass) {
    HealthCheckConfig config = settings.config();
    Promise<Void> result = loop.newPromise();
    if (config.mode() != HealthCheckMode.TCP && settings.tls() == null) {
      return result.setFailure(new CheckFailure(settings.tlsProblem()));
    }
    String host = backend.config().address();
    int port = backend.config().port();
    ProbeHandler handler = new ProbeHandler(config, backend.endpoint(), result, backend::tlsSans);
    long timeoutMillis = TimeUnit.SECONDS.toMillis(config.timeoutSeconds());
    ScheduledFuture<?> deadline =
        loop.schedule(
            () -> result.tryFailure(new CheckFailure(handler.timedOut())),
            timeoutMillis,
            TimeUnit.MILLISECONDS);
    Bootstrap bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(channelClass)
            // A safety net only: the deadline above fires first and names the stage that hung.
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeoutMillis + 1000)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (config.mode() != HealthCheckMode.TCP) {
                      SslHandler tls = settings.newTlsHandler(ch.alloc(), host, port);
                      tls.setHandshakeTimeoutMillis(0); // the check's deadline bounds it
                      ch.pipeline().addLast(tls);
                    }
                    if (config.mode() == HealthCheckMode.HTTPS) {
                      ch.pipeline().addLast(new HttpClientCodec());
                    }
                    ch.pipeline().addLast(handler);
                  }
                });
    resolve(host, port, loop)
        .whenComplete(
            (address, error) -> {
              if (error != null) {
                result.tryFailure(new CheckFailure("cannot resolve " + host));
              } else if (!result.isDone()) {
                connect(bootstrap, address, result);
              }
            });
    result.addListener(done -> deadline.cancel(false));
    return result;
  }

  private static void connect(
      Bootstrap bootstrap, InetSocketAddress address, Promise<Void> result) {
    ChannelFuture connect = bootstrap.connect(address);
    Channel channel = connect.channel();
    connect.addListener(
        f -> {
          if (!f.isSuccess()) {
            result.tryFailure(CheckFailure.of(f.cause()));
          }
        });
    // Whatever ends the check (pass, failure, timeout, cancel) ends its connection too.
    result.addListener(done -> channel.close());
  }

  private static CompletableFuture<InetSocketAddress> resolve(
      String host, int port, EventLoop loop) {
    byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
    if (literal != null) {
      try {
        return CompletableFuture.completedFuture(
            new InetSocketAddress(InetAddress.getByAddress(literal), port));
      } catch (UnknownHostException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    return CompletableFuture.supplyAsync(() -> new InetSocketAddress(host, port), RESOLVER)
        .thenApplyAsync(
            a -> {
              if (a.isUnresolved()) {
                throw new IllegalStateException("unresolved " + host);
              }
              return a;
            },
            loop);
  }
}
