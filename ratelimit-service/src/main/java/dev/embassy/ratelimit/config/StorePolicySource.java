package dev.embassy.ratelimit.config;

import dev.embassy.config.store.ConfigFollower;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the config store (LISTEN/NOTIFY) and swaps in each revision's rate-limit policies. While
 * Postgres is unreachable the follower keeps retrying and the last policies stay in force.
 */
public final class StorePolicySource implements PolicySource {
  private static final Logger LOG = LoggerFactory.getLogger(StorePolicySource.class);
  /** Revisions committed within this window are loaded once. */
  private static final Duration DEBOUNCE = Duration.ofMillis(10);

  private final ConfigFollower follower;

  private StorePolicySource(ConfigFollower follower) {
    this.follower = follower;
  }

  public static StorePolicySource start(DataSource dataSource, ActivePolicies active) {
    ConfigFollower follower = new ConfigFollower(dataSource, DEBOUNCE, snapshot -> {
      PolicySet policies = PolicySet.compile(snapshot.document().rateLimitPolicies(), snapshot.revision(), "store");
      active.replace(policies);
      LOG.info("enforcing revision {}: {} rate-limit policies", snapshot.revision(), policies.byDomain().size());
    });
    return new StorePolicySource(follower.start());
  }

  @Override
  public boolean healthy() {
    return follower.healthy();
  }

  @Override
  public String describe() {
    return "store";
  }

  @Override
  public void close() {
    follower.close();
  }
}
