package dev.embassy.config.store;

import dev.embassy.config.model.ConfigDocument;

/**
 * The whole config at one revision, read in one transaction, with certificate keys included.
 * Only for services that serve config to Envoy; the admin API never returns keys.
 */
public record ConfigSnapshot(long revision, ConfigDocument document) {}
