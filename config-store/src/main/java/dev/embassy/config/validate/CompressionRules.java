package dev.embassy.config.validate;

import dev.embassy.config.model.Gateway;

/** A gateway's response compression, held to what Envoy's compressor filter takes. */
final class CompressionRules {
  private CompressionRules() {}

  static void check(Gateway gateway, Violations v) {
    gateway.compression().ifPresent(compression -> {
      Violations at = v.at("compression");
      Checks.unique(at, "algorithms", compression.algorithms(), a -> a, "algorithm given twice:");
      // CommonDirectionConfig.min_content_length is a uint32; a gzip frame of tiny bodies only grows them.
      Checks.range(at, "minBytes", compression.minBytes(), 0, Integer.MAX_VALUE);
      Checks.maxSize(at, "contentTypes", compression.contentTypes(), 64);
      for (int i = 0; i < compression.contentTypes().size(); i++) {
        String type = compression.contentTypes().get(i);
        if (type == null || !type.matches("[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+")) {
          at.at("contentTypes").add(Integer.toString(i), "must be a media type such as application/json (no parameters)");
        }
      }
    });
  }
}
