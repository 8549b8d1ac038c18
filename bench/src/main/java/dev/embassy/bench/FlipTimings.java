package dev.embassy.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stages of a series of health flips, each in milliseconds from the moment Consul's
 * check-update call returned: Consul's answer to a blocking query, the control plane's cache
 * publishing the new ClusterLoadAssignment, each proxy's ACK of it, and the last of those ACKs.
 * The check-update call's own duration is kept beside them (it precedes the clock's start).
 */
final class FlipTimings {
  static final String CHECK_CALL = "check update call itself";
  static final String CONSUL = "Consul answers a blocking query";
  static final String PUBLISHED = "control plane publishes the CLA";
  static final String ALL_ACKED = "last proxy ACKed";
  /** The same, timed from just before the check-update call, as the discovery benchmark times its flips. */
  static final String ALL_ACKED_FROM_CALL = "last proxy ACKed, from before the call";

  private final int flips;
  private final Map<String, double[]> stages = new LinkedHashMap<>();

  FlipTimings(int flips) {
    this.flips = flips;
  }

  /**
   * @param reached stage name → {@link System#nanoTime()} at which it was seen; every stage but
   *     {@link #PUBLISHED} is a proxy's ACK
   * @param from {@link System#nanoTime()} when the check-update call returned
   */
  void record(int index, double checkCallMillis, double consulMillis, Map<String, Long> reached, long from) {
    stage(CHECK_CALL)[index] = checkCallMillis;
    stage(CONSUL)[index] = consulMillis;
    double lastAck = 0;
    for (var entry : reached.entrySet()) {
      double millis = (entry.getValue() - from) / 1e6;
      stage(entry.getKey())[index] = millis;
      if (!entry.getKey().equals(PUBLISHED)) {
        lastAck = Math.max(lastAck, millis);
      }
    }
    stage(ALL_ACKED)[index] = lastAck;
    stage(ALL_ACKED_FROM_CALL)[index] = checkCallMillis + lastAck;
    if (lastAck > 100) {
      System.out.printf("  slow flip %d: %s%n", index, reached.keySet().stream()
          .map(name -> "%s %.1f ms".formatted(name, (reached.get(name) - from) / 1e6)).toList());
    }
  }

  /** Both series side by side, as one sample of twice the size. */
  static FlipTimings combined(FlipTimings a, FlipTimings b) {
    FlipTimings both = new FlipTimings(a.flips + b.flips);
    a.stages.forEach((name, values) -> {
      double[] all = both.stage(name);
      System.arraycopy(values, 0, all, 0, a.flips);
      System.arraycopy(b.stages.get(name), 0, all, a.flips, b.flips);
    });
    return both;
  }

  void print(String label) {
    System.out.printf("%s (n = %d per stage):%n", label, flips);
    stages.forEach((name, values) -> {
      Stats stats = Stats.of(values);
      System.out.printf("  %-40s p50 %7.1f   p99 %7.1f   max %7.1f%n", name, stats.p50(), stats.p99(), stats.max());
    });
  }

  private double[] stage(String name) {
    return stages.computeIfAbsent(name, n -> new double[flips]);
  }
}
