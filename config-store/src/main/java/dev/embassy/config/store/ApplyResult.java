package dev.embassy.config.store;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of a declarative apply or rollback: what changed (or, for a dry run, would change)
 * and the revision created, empty for a dry run or when nothing differed.
 */
public record ApplyResult(List<ResourceDiff> changes, Optional<ConfigRevision> revision, boolean dryRun) {}
