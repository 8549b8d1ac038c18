package dev.embassy.config.store;

import java.util.List;
import java.util.Optional;

/** One page of a list, and the name to continue after when there are more. */
public record ResourcePage(List<StoredResource> items, Optional<String> continueAfter) {}
