package dev.embassy.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A WebSocket server (RFC 6455) that echoes every text frame back with a prefix, so a test can
 * show an upgrade really went through a proxy: the handshake answered with the accept key the
 * RFC derives, frames unmasked and echoed. Requests that are not upgrades get 426. One virtual
 * thread per connection; on 127.0.0.1 and a free port.
 */
public final class WebSocketEchoBackend implements AutoCloseable {
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final ServerSocket server;
  private final AtomicLong upgrades = new AtomicLong();

  private WebSocketEchoBackend(ServerSocket server) {
    this.server = server;
  }

  public static WebSocketEchoBackend start() {
    try {
      WebSocketEchoBackend backend = new WebSocketEchoBackend(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
      Thread.ofVirtual().start(backend::accept);
      return backend;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Handshakes completed. */
  public long upgrades() {
    return upgrades.get();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread.ofVirtual().start(() -> serve(socket));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
      Map<String, String> headers = head(in);
      String key = headers.get("sec-websocket-key");
      if (key == null || !"websocket".equalsIgnoreCase(headers.get("upgrade"))) {
        out.write("HTTP/1.1 426 Upgrade Required\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return;
      }
      out.write(("HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: " + accept(key)
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      upgrades.incrementAndGet();
      DataInputStream frames = new DataInputStream(in);
      while (true) {
        int first = frames.read();
        if (first < 0 || (first & 0x0f) == 0x8) {
          return;
        }
        int second = frames.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
          length = frames.readUnsignedShort();
        } else if (length == 127) {
          length = frames.readLong();
        }
        byte[] mask = new byte[4];
        if ((second & 0x80) != 0) {
          frames.readFully(mask);
        }
        byte[] payload = new byte[(int) length];
        frames.readFully(payload);
        for (int i = 0; i < payload.length; i++) {
          payload[i] ^= mask[i % 4];
        }
        if ((first & 0x0f) == 0x1) {
          byte[] echo = ("echo: " + new String(payload, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
          // Server frames are never masked; short text frames only, which is all the tests send.
          out.write(new byte[] {(byte) 0x81, (byte) echo.length});
          out.write(echo);
          out.flush();
        }
      }
    } catch (IOException gone) {
      // the client went away
    }
  }

  private static Map<String, String> head(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    Map<String, String> headers = new HashMap<>();
    int previous = -1;
    boolean first = true;
    for (int b = in.read(); b >= 0; b = in.read()) {
      if (previous == '\r' && b == '\n') {
        String text = line.toString(StandardCharsets.US_ASCII).trim();
        line.reset();
        if (text.isEmpty()) {
          return headers;
        }
        int colon = text.indexOf(':');
        if (!first && colon > 0) {
          headers.put(text.substring(0, colon).trim().toLowerCase(), text.substring(colon + 1).trim());
        }
        first = false;
      } else if (b != '\r') {
        line.write(b);
      }
      previous = b;
    }
    return headers;
  }

  private static String accept(String key) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
