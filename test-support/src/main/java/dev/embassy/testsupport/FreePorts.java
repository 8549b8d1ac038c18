package dev.embassy.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Hands out TCP ports on 127.0.0.1 that were free a moment ago. */
public final class FreePorts {
  private FreePorts() {}

  public static int one() {
    return many(1)[0];
  }

  /**
   * Returns {@code count} distinct free ports. All sockets stay bound until every port is chosen,
   * so the kernel cannot hand the same ephemeral port out twice in one call.
   */
  public static int[] many(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        socket.setReuseAddress(true);
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("could not allocate free ports on 127.0.0.1", e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // Closing a listening socket that was never accepted on cannot lose data.
        }
      }
    }
  }
}
