package dev.embassy.e2e.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The part of curl's command line the docs use, parsed so the test sends the same request: method
 * ({@code -X}), headers ({@code -H}), a body ({@code -d}/{@code --data-binary}, inline or
 * {@code @FILE}) and one URL; {@code -s}, {@code -i}, {@code -S} only change what curl prints. An
 * {@code https://} URL names the server as the client sees it (its SNI and the name its
 * certificate is checked against) and needs {@code --cacert FILE} and {@code --connect-to
 * HOST:PORT:127.0.0.1:PORT}, with {@code --cert FILE --key FILE} for a client certificate. Any
 * other option is refused, so a page cannot show a request the test silently sends differently.
 */
public record CurlCommand(String method, String url, List<Map.Entry<String, String>> headers, Optional<String> body, Optional<String> bodyFile,
    Optional<Tls> tls) {
  /** The TLS options: files relative to the reader's directory, and where the connection really goes. */
  public record Tls(String caCertificate, Optional<String> certificate, Optional<String> key, String connectTo) {}

  public CurlCommand(String method, String url, List<Map.Entry<String, String>> headers, Optional<String> body, Optional<String> bodyFile) {
    this(method, url, headers, body, bodyFile, Optional.empty());
  }

  /** Parses the words after {@code curl} (already split by {@link ShellWords}). */
  public static CurlCommand parse(List<String> words) {
    String method = null;
    String url = null;
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    String body = null;
    String bodyFile = null;
    String caCertificate = null;
    String certificate = null;
    String key = null;
    String connectTo = null;
    for (int i = 0; i < words.size(); i++) {
      String word = words.get(i);
      switch (word) {
        case "-s", "-S", "-sS", "-i", "-si", "-is", "-sSi", "--silent", "--include", "--show-error" -> {}
        case "-X", "--request" -> method = value(words, ++i, word);
        case "-H", "--header" -> {
          String header = value(words, ++i, word);
          int colon = header.indexOf(':');
          if (colon <= 0) {
            throw new IllegalArgumentException("curl -H needs NAME: VALUE, got " + header);
          }
          headers.add(Map.entry(header.substring(0, colon).strip(), header.substring(colon + 1).strip()));
        }
        case "-d", "--data", "--data-binary" -> {
          String data = value(words, ++i, word);
          if (data.startsWith("@")) {
            bodyFile = data.substring(1);
          } else {
            body = data;
          }
        }
        case "--cacert" -> caCertificate = value(words, ++i, word);
        case "--cert" -> certificate = value(words, ++i, word);
        case "--key" -> key = value(words, ++i, word);
        case "--connect-to" -> connectTo = value(words, ++i, word);
        default -> {
          if (word.startsWith("-")) {
            throw new IllegalArgumentException("curl option " + word
                + " is not one the docs test knows (-s -S -i -X -H -d --data-binary --cacert --cert --key --connect-to)");
          }
          if (url != null) {
            throw new IllegalArgumentException("curl with two URLs: " + url + " and " + word);
          }
          if (!word.startsWith("http://") && !word.startsWith("https://")) {
            throw new IllegalArgumentException("curl URL must be http://HOST:PORT/... or https://HOST:PORT/...: " + word);
          }
          url = word;
        }
      }
    }
    if (url == null) {
      throw new IllegalArgumentException("curl without a URL");
    }
    Optional<Tls> tls = Optional.empty();
    if (url.startsWith("https://")) {
      if (caCertificate == null || connectTo == null) {
        throw new IllegalArgumentException("curl https:// needs --cacert and --connect-to HOST:PORT:127.0.0.1:PORT");
      }
      if ((certificate == null) != (key == null)) {
        throw new IllegalArgumentException("curl --cert and --key go together");
      }
      tls = Optional.of(new Tls(caCertificate, Optional.ofNullable(certificate), Optional.ofNullable(key), connectTo));
    } else if (caCertificate != null || certificate != null || key != null || connectTo != null) {
      throw new IllegalArgumentException("curl TLS options with an http:// URL");
    }
    boolean hasBody = body != null || bodyFile != null;
    return new CurlCommand(method != null ? method : hasBody ? "POST" : "GET", url, List.copyOf(headers),
        Optional.ofNullable(body), Optional.ofNullable(bodyFile), tls);
  }

  private static String value(List<String> words, int i, String option) {
    if (i >= words.size()) {
      throw new IllegalArgumentException("curl " + option + " needs a value");
    }
    return words.get(i);
  }
}
