package dev.embassy.admin.auth;

/** The verified caller of a request: the token's id, its owner (named in the audit log) and role. */
public record Principal(String tokenId, String owner, Role role) {}
