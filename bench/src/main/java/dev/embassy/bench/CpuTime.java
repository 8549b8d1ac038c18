package dev.embassy.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time used so far by this JVM and by every Postgres process on the machine (Linux /proc),
 * so a benchmark can say where the CPU of one operation goes, not only how long it took.
 */
record CpuTime(long jvmNanos, long postgresNanos) {
  /** Kernel clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ, 100 on Linux). */
  private static final long TICKS_PER_SECOND = 100;

  static CpuTime now() {
    long jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    return new CpuTime(jvm, postgresTicks() * (1_000_000_000L / TICKS_PER_SECOND));
  }

  CpuTime minus(CpuTime earlier) {
    return new CpuTime(jvmNanos - earlier.jvmNanos, postgresNanos - earlier.postgresNanos);
  }

  private static long postgresTicks() {
    long ticks = 0;
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      for (Path process : (Iterable<Path>) processes.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))::iterator) {
        try {
          String stat = Files.readString(process.resolve("stat"));
          // Fields after "(comm)": state is field 3, utime 14 and stime 15 (proc(5)).
          if (stat.contains("(postgres)")) {
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
          }
        } catch (IOException | RuntimeException gone) {
          // The process ended while we read it.
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc: CPU split needs Linux", e);
    }
    return ticks;
  }
}
