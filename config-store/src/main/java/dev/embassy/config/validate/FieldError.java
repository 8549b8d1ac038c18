package dev.embassy.config.validate;

/** One problem in a submitted document, located by RFC 6901 JSON Pointer. */
public record FieldError(String pointer, String detail) {}
