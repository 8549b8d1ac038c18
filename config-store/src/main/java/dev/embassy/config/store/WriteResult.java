package dev.embassy.config.store;

import java.util.Optional;

/**
 * The outcome of a single-resource write: the resource now stored (empty after a delete) and the
 * revision the write created (empty when the write changed nothing).
 */
public record WriteResult(Optional<StoredResource> resource, Optional<ConfigRevision> revision) {}
