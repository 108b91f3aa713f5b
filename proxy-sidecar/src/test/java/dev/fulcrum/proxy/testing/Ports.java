package dev.fulcrum.proxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for listeners a test configures before binding them (a config cannot say "any port"). They
 * are picked below the kernel's ephemeral range ({@code net.ipv4.ip_local_port_range}), so the
 * outgoing connections the tests make meanwhile cannot take them between the pick and the bind, as
 * they could a port the kernel handed out from that range.
 */
public final class Ports {
  private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final int LOWEST = 1024; // below: privileged

  private Ports() {}

  /** A port free on {@code host} a moment ago and outside the ephemeral range. */
  public static int free(String host) {
    try {
      InetAddress address = InetAddress.getByName(host);
      int below = ephemeralLow();
      for (int attempt = 0; below - LOWEST > 100 && attempt < 200; attempt++) {
        int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
        if (bindable(address, port)) {
          return port;
        }
      }
      try (ServerSocket s = new ServerSocket(0, 1, address)) { // no room below: the kernel's pick
        return s.getLocalPort();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean bindable(InetAddress address, int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true); // as the proxy's listeners: TIME_WAIT left by a test does not block
      s.bind(new InetSocketAddress(address, port), 1);
      return true;
    } catch (IOException inUse) {
      return false;
    }
  }

  /** The first ephemeral port; Linux's default when the range cannot be read. */
  private static int ephemeralLow() {
    try {
      return Integer.parseInt(Files.readString(RANGE).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32768;
    }
  }
}
