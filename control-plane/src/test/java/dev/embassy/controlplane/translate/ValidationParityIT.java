package dev.embassy.controlplane.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's parity check at CI size, with a fixed seed: every generated config the API accepts
 * passes {@code envoy --mode validate}, and every regex it refuses is refused by Envoy too or is
 * on the documented list (ValidationParity.DOCUMENTED, docs/validation.md). A longer run takes
 * another seed and size: {@code -Dembassy.parity.seed=7 -Dembassy.parity.cases=20000}.
 */
class ValidationParityIT {
  private static final long SEED = Long.getLong("embassy.parity.seed", 13);
  private static final int CASES = Integer.getInteger("embassy.parity.cases", 400);

  /**
   * Accepted cases Envoy rejects because of fields issue 13's other half is fixing (header names
   * and values, hostnames, durations, gateway ports), kept out of the assertion until then; each
   * entry is a substring of the mismatch report.
   */
  private static final List<String> KNOWN_MISMATCHES = List.of();

  @Test
  void envoyAgreesWithTheApi() throws Exception {
    long start = System.nanoTime();
    ValidationParity.Report report = ValidationParity.run(SEED, CASES);
    System.out.printf("validation parity (seed %d): %s; %.1f s%n", SEED, report.summary(), (System.nanoTime() - start) / 1e9);
    report.acceptedButEnvoyRejects().forEach(m -> System.out.println("accepted, Envoy rejects: " + m));
    report.regexRefusedButEnvoyAccepts().forEach(m -> System.out.println("refused, Envoy accepts: " + m));
    assertThat(report.accepted()).as("the corpus must exercise accepted configs").isGreaterThan(CASES / 4);
    assertThat(report.regexesRefused()).as("the corpus must exercise refused regexes").isGreaterThan(10);
    assertThat(report.acceptedButEnvoyRejects())
        .filteredOn(m -> KNOWN_MISMATCHES.stream().noneMatch(m::contains))
        .as("configs the API accepts and Envoy rejects").isEmpty();
    assertThat(report.regexRefusedButEnvoyAccepts()).as("regexes the API refuses for no documented reason and Envoy accepts").isEmpty();
  }
}
