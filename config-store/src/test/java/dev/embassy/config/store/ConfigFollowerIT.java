package dev.embassy.config.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The follower's debounce against a real Postgres: when it loads at once and when it gathers. */
@ExtendWith(PostgresExtension.class)
class ConfigFollowerIT {
  // Wide enough that the old behaviour (window counted from the end of a load) and the new one stay
  // far apart even when a loaded 2-core CI machine stalls a thread for 100 ms.
  private static final Duration WINDOW = Duration.ofMillis(400);

  private DataSource dataSource;
  private DSLContext db;

  /** One load: the revision handed on and when the consumer got it. */
  private record Load(long revision, long atNanos) {}

  @BeforeEach
  void migrate(TestDatabase database) {
    dataSource = database.dataSource();
    ConfigSchema.migrate(dataSource);
    db = DSL.using(dataSource, SQLDialect.POSTGRES);
  }

  @Test
  void burstIsGatheredUntilTheWindowEndsAndItsLastRevisionLoaded() throws Exception {
    List<Load> loads = new CopyOnWriteArrayList<>();
    long first = commit();
    try (ConfigFollower follower = new ConfigFollower(dataSource, WINDOW, s -> loads.add(new Load(s.revision(), System.nanoTime()))).start()) {
      awaitRevision(follower, first);
      long last = 0;
      for (int i = 0; i < 5; i++) {
        last = commit();
      }
      awaitRevision(follower, last);

      List<Load> afterBurst = loads.stream().filter(l -> l.revision() > first).toList();
      assertThat(afterBurst).as("five revisions inside one window are loaded together").hasSize(1);
      assertThat(afterBurst.getFirst().revision()).isEqualTo(last);
      assertThat(Duration.ofNanos(afterBurst.getFirst().atNanos() - loads.getFirst().atNanos()))
          .as("the burst waits for the window that began with the previous load").isGreaterThanOrEqualTo(WINDOW.minusMillis(5));
    }
  }

  @Test
  void writeAWindowAfterTheLastLoadBeganIsLoadedAtOnceEvenIfTheLoadTookLong() throws Exception {
    List<Load> loads = new CopyOnWriteArrayList<>();
    // The consumer stands for translation: most of a window spent after the load began.
    Duration consumerTime = WINDOW.multipliedBy(3).dividedBy(4);
    long first = commit();
    try (ConfigFollower follower = new ConfigFollower(dataSource, WINDOW, s -> {
      loads.add(new Load(s.revision(), System.nanoTime()));
      sleep(consumerTime);
    }).start()) {
      awaitRevision(follower, first);
      long loadBegan = loads.getFirst().atNanos();
      sleep(Duration.ofNanos(loadBegan + WINDOW.toNanos() + Duration.ofMillis(20).toNanos() - System.nanoTime()));

      long committed = System.nanoTime();
      long second = commit();
      awaitRevision(follower, second);

      Duration latency = Duration.ofNanos(loads.getLast().atNanos() - committed);
      // Counted from the end of the previous load the window would still have 280 ms to run.
      assertThat(latency).as("commit → handed on").isLessThan(Duration.ofMillis(160));
    }
  }

  private long commit() {
    return db.transactionResult(tx -> ConfigRevisions.append(tx.dsl(), 0, "test", "write", "change", "[]").id());
  }

  private static void awaitRevision(ConfigFollower follower, long revision) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (follower.loadedRevision() < revision) {
      assertThat(System.nanoTime()).as("revision %d loaded within 10 s", revision).isLessThan(deadline);
      Thread.sleep(1);
    }
  }

  private static void sleep(Duration duration) {
    if (duration.isNegative() || duration.isZero()) {
      return;
    }
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
