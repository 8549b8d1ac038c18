package dev.embassy.e2e.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.testsupport.DocSnippets;
import dev.embassy.testsupport.RepoPaths;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * The security guide shows the auth policy deploy/up seeds for /orders. deploy/smoke proves that
 * policy through the real stack (401, 403, then 200 with the demo provider's token); this test
 * keeps the page's copy equal to the seeded one, so the page shows what smoke proved.
 */
class DemoConfigQuoteTest {
  /** deploy/lib/stack.sh's default, which deploy/up fills into the seeded file. */
  private static final String DEMO_IDP_PORT = "8180";

  @Test
  void theSecurityGuideShowsThePolicyDeployUpSeeds() throws Exception {
    JsonNode page = ConfigJson.yaml().readTree(DocSnippets.block("guides/security.md", "seeded-orders-policy")).path("authPolicies");
    assertThat(page.size()).as("the page shows one policy").isEqualTo(1);
    // deploy/up fills in the ${NAME} placeholders; the one other than the provider port (the gateway port) stays a name here.
    String seededFile = Files.readString(RepoPaths.root().resolve("deploy/demo/config.yaml")).replace("${DEMO_IDP_PORT}", DEMO_IDP_PORT)
        .replaceAll("\\$\\{([A-Z0-9_]+)}", "$1");
    JsonNode seeded = null;
    for (JsonNode policy : ConfigJson.yaml().readTree(seededFile).path("authPolicies")) {
      if (policy.path("name").equals(page.get(0).path("name"))) {
        seeded = policy;
      }
    }
    assertThat(seeded).as("deploy/demo/config.yaml seeds a policy named " + page.get(0).path("name")).isNotNull();
    assertThat(page.get(0)).isEqualTo(seeded);
  }
}
