package dev.embassy.controlplane.ir;

import java.util.List;

/**
 * Who may call one Connect service: the intentions naming it (or {@code *}) as destination, and
 * what applies to a caller none of them names, Consul's default intention policy.
 */
public record MeshIntentions(boolean defaultAllow, List<Rule> rules) {
  public MeshIntentions {
    rules = List.copyOf(rules);
  }

  /** One intention for the destination: {@code source} is a service name or {@code *}. */
  public record Rule(String source, boolean allow) {
    public boolean wildcard() {
      return "*".equals(source);
    }
  }
}
