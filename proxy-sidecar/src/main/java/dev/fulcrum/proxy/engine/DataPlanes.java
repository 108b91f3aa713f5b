package dev.fulcrum.proxy.engine;

import dev.fulcrum.proxy.net.DataPlane;
import dev.fulcrum.proxy.net.Transport;
import dev.fulcrum.proxy.net.channel.ChannelPlane;
import dev.fulcrum.proxy.net.uring.UringPlane;

/** The data plane a transport runs: the direct plane on io_uring, the channel plane otherwise. */
public final class DataPlanes {
  private DataPlanes() {}

  public static DataPlane of(Transport transport) {
    return transport.direct() ? new UringPlane(transport) : new ChannelPlane(transport);
  }
}
