package dev.embassy.controlplane.ir;

/**
 * Mutual TLS on an HTTPS listener: whether a client must present a certificate, and the CA
 * certificate (by name, with its PEM chain) that a presented certificate must chain to.
 */
public record ClientVerification(boolean required, String caName, String caPem) {}
