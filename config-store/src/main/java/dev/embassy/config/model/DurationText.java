package dev.embassy.config.model;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as written in config: Gateway API's GEP-2257 form ("1h30m", "250ms", "10s") plus
 * days ("1d") for rate-limit windows.
 */
public final class DurationText {
  private static final Pattern WHOLE = Pattern.compile("(\\d{1,6}(ms|s|m|h|d)){1,5}");
  private static final Pattern PART = Pattern.compile("(\\d{1,6})(ms|s|m|h|d)");

  private DurationText() {}

  /** The duration {@code text} denotes, or empty when it is not a valid duration. */
  public static Optional<Duration> parse(String text) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      return Optional.empty();
    }
    Duration total = Duration.ZERO;
    Matcher part = PART.matcher(text);
    while (part.find()) {
      long amount = Long.parseLong(part.group(1));
      total = total.plus(switch (part.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      });
    }
    return Optional.of(total);
  }

  /** Parses text that validation already accepted. */
  public static Duration of(String text) {
    return parse(text).orElseThrow(() -> new IllegalArgumentException("not a duration: " + text));
  }
}
