package dev.embassy.bench;

import java.lang.management.ManagementFactory;

/** The benchmark JVM's own heap, as the benchmarks report it. */
final class JvmHeap {
  private JvmHeap() {}

  /**
   * Heap in use after asking for three collections 200 ms apart: one System.gc() can leave
   * garbage that a concurrent collector has not reclaimed yet, which would count as live.
   */
  static long usedAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
