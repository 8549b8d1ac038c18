package dev.embassy.e2e.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The part of curl's command line the docs use, parsed so the test sends the same request: method
 * ({@code -X}), headers ({@code -H}), a body ({@code -d}/{@code --data-binary}, inline or
 * {@code @FILE}) and one URL; {@code -s}, {@code -i}, {@code -S} only change what curl prints. Any
 * other option is refused, so a page cannot show a request the test silently sends differently.
 */
public record CurlCommand(String method, String url, List<Map.Entry<String, String>> headers, Optional<String> body, Optional<String> bodyFile) {

  /** Parses the words after {@code curl} (already split by {@link ShellWords}). */
  public static CurlCommand parse(List<String> words) {
    String method = null;
    String url = null;
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    String body = null;
    String bodyFile = null;
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
        default -> {
          if (word.startsWith("-")) {
            throw new IllegalArgumentException("curl option " + word + " is not one the docs test knows (-s -S -i -X -H -d --data-binary)");
          }
          if (url != null) {
            throw new IllegalArgumentException("curl with two URLs: " + url + " and " + word);
          }
          if (!word.startsWith("http://")) {
            throw new IllegalArgumentException("curl URL must be http://HOST:PORT/...: " + word);
          }
          url = word;
        }
      }
    }
    if (url == null) {
      throw new IllegalArgumentException("curl without a URL");
    }
    boolean hasBody = body != null || bodyFile != null;
    return new CurlCommand(method != null ? method : hasBody ? "POST" : "GET", url, List.copyOf(headers),
        Optional.ofNullable(body), Optional.ofNullable(bodyFile));
  }

  private static String value(List<String> words, int i, String option) {
    if (i >= words.size()) {
      throw new IllegalArgumentException("curl " + option + " needs a value");
    }
    return words.get(i);
  }
}
