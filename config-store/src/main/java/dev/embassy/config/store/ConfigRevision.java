package dev.embassy.store;

import java.time.Instant;

/** One committed change of the config: who made it, when, and what it touched (JSON array). */
public record ConfigRevision(long id, Instant createdAt, String author, String summary, String changesJson) {}
