package dev.embassy.config.model;

/** A reference from one resource to another, located by the JSON Pointer of the naming field. */
public record Reference(ResourceKind kind, String name, String pointer) {}
