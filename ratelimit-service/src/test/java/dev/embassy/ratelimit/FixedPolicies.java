package dev.embassy.ratelimit;

import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.ratelimit.config.ActivePolicies;
import dev.embassy.ratelimit.config.PolicySet;
import dev.embassy.ratelimit.config.PolicySource;
import java.util.function.Function;

/** Policies given by the test, as an Embassy document in YAML; swapped in once at start. */
public final class FixedPolicies implements PolicySource {
  private FixedPolicies() {}

  public static Function<ActivePolicies, PolicySource> of(String documentYaml) {
    ConfigDocument document;
    try {
      document = ConfigJson.yaml().readValue(documentYaml, ConfigDocument.class);
    } catch (Exception e) {
      throw new IllegalArgumentException("not a config document: " + e.getMessage(), e);
    }
    return active -> {
      active.replace(PolicySet.compile(document.rateLimitPolicies(), 1, "test"));
      return new FixedPolicies();
    };
  }

  @Override
  public boolean healthy() {
    return true;
  }

  @Override
  public String describe() {
    return "test";
  }

  @Override
  public void close() {}
}
