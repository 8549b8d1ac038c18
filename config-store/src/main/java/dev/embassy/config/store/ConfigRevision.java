package dev.embassy.config.store;

import java.time.Instant;

/**
 * One committed change of the config: who made it and when, the revision it was made on top of
 * ({@code parentId}, 0 for the first), and what it touched ({@code changesJson}, a JSON array).
 */
public record ConfigRevision(
    long id, long parentId, Instant createdAt, String author, String operation, String summary, String changesJson) {}
