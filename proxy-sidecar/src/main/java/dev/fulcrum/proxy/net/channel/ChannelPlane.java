package dev.fulcrum.proxy.net.channel;

import dev.fulcrum.proxy.balance.BackendPool;
import dev.fulcrum.proxy.net.AcceptBackoff;
import dev.fulcrum.proxy.net.DataPlane;
import dev.fulcrum.proxy.net.ListenAddress;
import dev.fulcrum.proxy.net.Listener;
import dev.fulcrum.proxy.net.SocketOptions;
import dev.fulcrum.proxy.net.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * The channel data plane (epoll, NIO): a Netty server channel per frontend, a pipeline per client
 * ({@link FrontendHandler}) and per backend ({@link BackendHandler}), dialed by {@link
 * BackendDialer}.
 */
public final class ChannelPlane implements DataPlane {
  private final Transport transport;

  public ChannelPlane(Transport transport) {
    this.transport = transport;
  }

  @Override
  public String label() {
    return transport.kind().label();
  }

  @Override
  public Listener listen(
      String id, ListenAddress address, Supplier<BackendPool> pool, AcceptBackoff backoff)
      throws IOException {
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(transport.acceptors(), transport.workers())
            .channelFactory(
                () ->
                    transport.newServerChannel(
                        !address.families().contains(ListenAddress.Family.IPV6)))
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childHandler(new FrontendInitializer(id, transport, pool, backoff));
    if (address.v6Only() && transport.isNative()) {
      bootstrap.option(SocketOptions.IPV6_V6ONLY, 1); // NIO cannot: its :: serves IPv4 too
    }
    SocketOptions.clientSide(bootstrap, transport.isNative());
    ChannelFuture bound = bootstrap.bind(address.address()).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      Throwable cause = bound.cause();
      throw new IOException(cause.getMessage(), cause);
    }
    return Listener.of(bound.channel());
  }
}
