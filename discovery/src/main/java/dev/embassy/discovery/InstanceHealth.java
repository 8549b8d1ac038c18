package dev.embassy.discovery;

/**
 * The aggregated state of an instance's checks (node checks included, as Consul counts them).
 * Critical instances are never reported; {@code WARNING} ones only to queries that ask for them,
 * so the control plane can mark them degraded instead of dropping them.
 */
public enum InstanceHealth { PASSING, WARNING }
