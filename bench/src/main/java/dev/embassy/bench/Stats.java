package dev.embassy.bench;

import java.util.Arrays;

/** Percentiles of a sample of durations in milliseconds (nearest-rank). */
record Stats(double p50, double p99, double max, int count) {
  static Stats of(double[] millis) {
    double[] sorted = millis.clone();
    Arrays.sort(sorted);
    return new Stats(rank(sorted, 0.50), rank(sorted, 0.99), sorted[sorted.length - 1], sorted.length);
  }

  private static double rank(double[] sorted, double quantile) {
    int index = (int) Math.ceil(quantile * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  static double median(double[] values) {
    return of(values).p50();
  }
}
