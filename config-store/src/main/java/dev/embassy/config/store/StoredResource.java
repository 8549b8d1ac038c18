package dev.embassy.config.store;

import dev.embassy.config.model.ConfigResource;

/** A resource as stored, with the revision that last changed it (its ETag). */
public record StoredResource(ConfigResource resource, long revision) {
  public String etag() {
    return "\"" + revision + "\"";
  }
}
