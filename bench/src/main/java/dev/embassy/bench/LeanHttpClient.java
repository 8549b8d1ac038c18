package dev.embassy.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection, blocking, for load generation only: it writes a request and
 * reads the status line, headers and a Content-Length or chunked body, nothing more. java.net.http
 * spends about as much CPU per request as the create it measures (its selector thread, futures and
 * header maps), which on two shared cores is taken from the server being measured; this client
 * spends a few microseconds. Not thread-safe: one per client thread.
 */
final class LeanHttpClient implements AutoCloseable {
  /** A response: status and body (headers are read and dropped). */
  record Response(int status, String body) {}

  private final String host;
  private final int port;
  private final String authorization;
  private Socket socket;
  private OutputStream out;
  private InputStream in;

  LeanHttpClient(String host, int port, String bearerToken) {
    this.host = host;
    this.port = port;
    this.authorization = bearerToken == null ? null : "Bearer " + bearerToken;
  }

  /** A client that sends no credentials, e.g. for traffic through a gateway. */
  LeanHttpClient(String host, int port) {
    this(host, port, null);
  }

  /**
   * GET {@code path}. A broken connection is dropped, so the next request opens a new one; the
   * caller decides whether the failure counts.
   */
  Response get(String path) throws IOException {
    byte[] head = ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + credentials() + "\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
    try {
      if (socket == null) {
        connect();
      }
      out.write(head);
      out.flush();
      return read();
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  private String credentials() {
    return authorization == null ? "" : "\r\nAuthorization: " + authorization;
  }

  Response post(String path, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + credentials()
        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    if (socket == null) {
      connect();
    }
    out.write(head);
    out.write(body);
    out.flush();
    return read();
  }

  private void connect() throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(host, port), 5_000);
    socket.setSoTimeout(120_000);
    out = socket.getOutputStream();
    in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
  }

  private Response read() throws IOException {
    String status = line();
    if (!status.startsWith("HTTP/1.1 ")) {
      throw new IOException("unexpected status line: " + status);
    }
    int code = Integer.parseInt(status.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    boolean close = false;
    for (String header = line(); !header.isEmpty(); header = line()) {
      int colon = header.indexOf(':');
      String name = header.substring(0, colon).trim();
      String value = header.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Content-Length")) {
        length = Long.parseLong(value);
      } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
        chunked = true;
      } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
        close = true;
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (chunked) {
      for (long size = Long.parseLong(line().split(";", 2)[0].trim(), 16); size > 0; size = Long.parseLong(line().split(";", 2)[0].trim(), 16)) {
        copy(size, body);
        line();
      }
      while (!line().isEmpty()) {
        // trailers
      }
    } else if (length > 0) {
      copy(length, body);
    }
    if (close) {
      close();
    }
    return new Response(code, body.toString(StandardCharsets.UTF_8));
  }

  private void copy(long length, ByteArrayOutputStream to) throws IOException {
    byte[] buffer = new byte[(int) Math.min(length, 16 * 1024)];
    for (long left = length; left > 0; ) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new IOException("connection closed inside a body");
      }
      to.write(buffer, 0, n);
      left -= n;
    }
  }

  private String line() throws IOException {
    StringBuilder line = new StringBuilder(64);
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  @Override
  public void close() throws IOException {
    if (socket != null) {
      socket.close();
      socket = null;
    }
  }
}
