package dev.embassy.config.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.embassy.config.codec.ConfigJson;
import java.util.Map;
import java.util.TreeMap;

/** Labels as the JSON object stored in config_resource.labels and matched with {@code @>}. */
final class LabelSelector {
  private LabelSelector() {}

  static String toJson(Map<String, String> labels) {
    try {
      return ConfigJson.json().writeValueAsString(new TreeMap<>(labels));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
