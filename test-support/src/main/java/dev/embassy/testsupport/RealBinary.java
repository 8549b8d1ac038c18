package dev.embassy.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Locates a real binary that deploy/provision installed. A missing binary is a test failure
 * with the command that provisions it, never a skip: CI must not pass by running nothing.
 */
public enum RealBinary {
  ENVOY("EMBASSY_ENVOY_BIN", "bin/envoy", "envoy"),
  CONSUL("EMBASSY_CONSUL_BIN", "bin/consul", "consul"),
  /** Keycloak's launcher, from a distribution deploy/provision has already built ("kc.sh build"). */
  KEYCLOAK("EMBASSY_KEYCLOAK_BIN", "bin/kc.sh", "keycloak"),
  /** The directory holding initdb, pg_ctl and postgres. */
  POSTGRES_BIN_DIR("EMBASSY_POSTGRES_BIN_DIR", "postgres-bin", "postgres");

  private final String envVar;
  private final String cachePath;
  private final String component;

  RealBinary(String envVar, String cachePath, String component) {
    this.envVar = envVar;
    this.cachePath = cachePath;
    this.component = component;
  }

  public static Path cacheRoot() {
    String configured = System.getenv("EMBASSY_CACHE");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "embassy");
  }

  /** The provisioned path; throws {@link IllegalStateException} explaining how to provision. */
  public Path path() {
    return find()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "%s is not provisioned: looked at $%s and %s. Provision it with: deploy/provision %s (deploy/test does this for you)"
                        .formatted(component, envVar, cacheRoot().resolve(cachePath), component)));
  }

  public Optional<Path> find() {
    String configured = System.getenv(envVar);
    Path candidate =
        configured != null && !configured.isBlank()
            ? Path.of(configured)
            : cacheRoot().resolve(cachePath);
    boolean usable =
        this == POSTGRES_BIN_DIR
            ? Files.isExecutable(candidate.resolve("pg_ctl"))
            : Files.isExecutable(candidate);
    return usable ? Optional.of(candidate) : Optional.empty();
  }
}
