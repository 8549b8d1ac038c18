package dev.embassy.discovery;

/** The states of a registry health check. */
public enum CheckStatus { PASSING, WARNING, CRITICAL }
