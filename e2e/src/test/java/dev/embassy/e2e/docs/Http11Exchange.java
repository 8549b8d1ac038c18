package dev.embassy.e2e.docs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP/1.1 request on its own connection, written as curl writes it: the headers the page
 * gives (a {@code Host} header replaces the URL's, as with curl), nothing else but
 * {@code Content-Length} and {@code Connection: close}. A raw socket because Java's HttpClient
 * refuses to send {@code Host}, which routing examples need.
 */
final class Http11Exchange {
  record Response(int status, List<Map.Entry<String, String>> headers, String body) {
    Optional<String> header(String name) {
      return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst();
    }
  }

  private Http11Exchange() {}

  static Response send(String method, URI url, List<Map.Entry<String, String>> headers, byte[] body) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), 2_000);
      return exchange(socket, method, url, headers, body);
    }
  }

  /**
   * Over TLS to {@code connect}, as curl does with {@code --connect-to}: the SNI name, the Host
   * header and the name the server's certificate must carry all come from {@code url}.
   */
  static Response sendTls(String method, URI url, InetSocketAddress connect, javax.net.ssl.SSLContext tls,
      List<Map.Entry<String, String>> headers, byte[] body) throws IOException {
    try (Socket plain = new Socket()) {
      plain.connect(connect, 2_000);
      try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket(plain, url.getHost(), url.getPort(), true)) {
        javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return exchange(socket, method, url, headers, body);
      }
    }
  }

  private static Response exchange(Socket socket, String method, URI url, List<Map.Entry<String, String>> headers, byte[] body)
      throws IOException {
    socket.setSoTimeout(20_000);
    StringBuilder head = new StringBuilder();
    String target = url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    if (url.getRawQuery() != null) {
      target += "?" + url.getRawQuery();
    }
    head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    if (headers.stream().noneMatch(h -> h.getKey().equalsIgnoreCase("host"))) {
      head.append("Host: ").append(url.getHost()).append(':').append(url.getPort()).append("\r\n");
    }
    head.append("User-Agent: embassy-docs-test\r\nAccept: */*\r\n");
    for (Map.Entry<String, String> header : headers) {
      head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
    }
    if (body.length > 0) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
      if (headers.stream().noneMatch(h -> h.getKey().equalsIgnoreCase("content-type"))) {
        head.append("Content-Type: application/x-www-form-urlencoded\r\n"); // what curl -d sends
      }
    }
    head.append("Connection: close\r\n\r\n");
    OutputStream out = socket.getOutputStream();
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
    out.flush();
    return parse(socket.getInputStream().readAllBytes());
  }

  private static Response parse(byte[] raw) throws IOException {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      throw new IOException("no complete HTTP response: " + text);
    }
    String[] lines = text.substring(0, end).split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.add(Map.entry(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip()));
    }
    byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
    boolean chunked = headers.stream().anyMatch(h -> h.getKey().equals("transfer-encoding") && h.getValue().equalsIgnoreCase("chunked"));
    return new Response(Integer.parseInt(statusLine[1]), List.copyOf(headers),
        new String(chunked ? dechunk(body) : body, StandardCharsets.UTF_8));
  }

  private static byte[] dechunk(byte[] body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = new java.io.ByteArrayInputStream(body);
    while (true) {
      StringBuilder size = new StringBuilder();
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new IOException("truncated chunked body");
        }
        if (c != '\r') {
          size.append((char) c);
        }
      }
      int length = Integer.parseInt(size.toString().split(";")[0].strip(), 16);
      if (length == 0) {
        return out.toByteArray();
      }
      out.write(in.readNBytes(length));
      in.readNBytes(2);
    }
  }
}
