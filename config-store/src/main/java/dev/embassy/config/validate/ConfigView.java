package dev.embassy.config.validate;

import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.ResourceKind;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What cross-resource validation needs to see of the config a write would produce. */
public interface ConfigView {
  boolean exists(ResourceKind kind, String name);

  Optional<Gateway> gateway(String name);

  /**
   * Which routes claim each (listener, hostname, match) key on {@code gateway}, in name order. See
   * {@link RouteClaims}.
   */
  Map<String, List<String>> claims(String gateway);
}
