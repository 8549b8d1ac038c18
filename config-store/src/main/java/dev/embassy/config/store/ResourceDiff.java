package dev.embassy.config.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embassy.config.model.ResourceKind;
import java.util.Optional;

/** How one resource differs between two configs: its canonical JSON before and after. */
public record ResourceDiff(ResourceKind kind, String name, Change.Op op, Optional<JsonNode> before, Optional<JsonNode> after) {}
