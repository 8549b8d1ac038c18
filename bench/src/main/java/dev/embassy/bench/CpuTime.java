package dev.embassy.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * CPU time used so far by this JVM and by one Postgres server (its postmaster and every backend),
 * so a benchmark can say where the CPU of one operation goes, not only how long it took. Linux
 * only (/proc); elsewhere there is no figure.
 */
record CpuTime(long jvmNanos, long postgresNanos) {
  /** Kernel clock ticks per second of /proc/PID/stat's times (USER_HZ, 100 on Linux). */
  private static final long TICKS_PER_SECOND = 100;
  private static final Path PROC = Path.of("/proc");

  /**
   * Now, with Postgres counted as the postmaster's own time, the time of the backends it has
   * already reaped (cutime/cstime: a backend ending between two readings is not lost) and that of
   * its live backends.
   */
  static Optional<CpuTime> now(long postmasterPid) {
    if (!Files.isDirectory(PROC.resolve("self"))) {
      return Optional.empty();
    }
    long jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    long ticks = 0;
    try (Stream<Path> processes = Files.list(PROC)) {
      for (Path process : (Iterable<Path>) processes.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))::iterator) {
        long[] stat = stat(process);
        if (stat == null) {
          continue;
        }
        long pid = Long.parseLong(process.getFileName().toString());
        if (pid == postmasterPid) {
          ticks += stat[1] + stat[2] + stat[3] + stat[4];
        } else if (stat[0] == postmasterPid) {
          ticks += stat[1] + stat[2];
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.of(new CpuTime(jvm, ticks * (1_000_000_000L / TICKS_PER_SECOND)));
  }

  CpuTime minus(CpuTime earlier) {
    return new CpuTime(jvmNanos - earlier.jvmNanos, postgresNanos - earlier.postgresNanos);
  }

  /** ppid, utime, stime, cutime, cstime of a process, or null if it ended while being read. */
  private static long[] stat(Path process) {
    try {
      String text = Files.readString(process.resolve("stat"));
      // proc(5): after "pid (comm) " come state (field 3), ppid (4), ..., utime (14), stime (15),
      // cutime (16), cstime (17); comm may contain spaces, so split after its closing parenthesis.
      String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
      return new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[11]), Long.parseLong(fields[12]),
          Long.parseLong(fields[13]), Long.parseLong(fields[14])};
    } catch (IOException | RuntimeException gone) {
      return null;
    }
  }
}
