package dev.embassy.ratelimit.config;

/** One key/value pair of a descriptor as Envoy sends it (an empty value is a valid value). */
public record DescriptorEntry(String key, String value) {}
