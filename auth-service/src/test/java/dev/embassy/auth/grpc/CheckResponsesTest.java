package dev.embassy.auth.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Code;
import dev.embassy.auth.check.Decision;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption.HeaderAppendAction;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CheckResponsesTest {
  @Test
  void allowOverwritesIdentityHeadersRemovesTheRestAndCarriesMetadata() {
    CheckResponse response = CheckResponses.of(new Decision.Allow("p", "token", Map.of("x-user-id", "alice"),
        List.of("x-user-email", "authorization"), List.of("access_token"), Map.of("sub", "alice", "tier", "gold"), Optional.empty()));
    assertThat(response.getStatus().getCode()).isEqualTo(Code.OK_VALUE);
    assertThat(response.getOkResponse().getHeadersList()).singleElement().satisfies(h -> {
      assertThat(h.getHeader().getKey()).isEqualTo("x-user-id");
      assertThat(h.getHeader().getValue()).isEqualTo("alice");
      assertThat(h.getAppendAction()).isEqualTo(HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD);
    });
    assertThat(response.getOkResponse().getHeadersToRemoveList()).containsExactly("x-user-email", "authorization");
    assertThat(response.getOkResponse().getQueryParametersToRemoveList()).containsExactly("access_token");
    assertThat(response.getDynamicMetadata().getFieldsMap().get("sub").getStringValue()).isEqualTo("alice");
    assertThat(response.getDynamicMetadata().getFieldsMap().get("tier").getStringValue()).isEqualTo("gold");
  }

  @Test
  void denials() {
    CheckResponse missing = CheckResponses.of(new Decision.Deny("p", "credentials_missing", 401, "", "a bearer token is required", List.of()));
    assertThat(missing.getStatus().getCode()).isEqualTo(Code.UNAUTHENTICATED_VALUE);
    assertThat(missing.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(401);
    assertThat(header(missing, "www-authenticate")).isEqualTo("Bearer realm=\"embassy\"");
    assertThat(header(missing, "content-type")).isEqualTo("application/json");
    assertThat(missing.getDeniedResponse().getBody()).isEqualTo("{\"error\":\"unauthorized\",\"reason\":\"a bearer token is required\"}");

    CheckResponse invalid = CheckResponses.of(new Decision.Deny("p", "expired", 401, "invalid_token", "the token has expired", List.of()));
    assertThat(header(invalid, "www-authenticate"))
        .isEqualTo("Bearer realm=\"embassy\", error=\"invalid_token\", error_description=\"the token has expired\"");

    CheckResponse scope = CheckResponses.of(new Decision.Deny("p", "requirements_unmet", 403, "insufficient_scope", "needs \"more\"", List.of("a", "b")));
    assertThat(scope.getStatus().getCode()).isEqualTo(Code.PERMISSION_DENIED_VALUE);
    assertThat(header(scope, "www-authenticate")).endsWith("error_description=\"needs \\\"more\\\"\", scope=\"a b\"");
    assertThat(scope.getDeniedResponse().getBody()).isEqualTo("{\"error\":\"insufficient_scope\",\"reason\":\"needs \\\"more\\\"\"}");

    CheckResponse unknown = CheckResponses.of(new Decision.Deny("unknown", "policy_unknown", 503, "", "not available", List.of()));
    assertThat(unknown.getStatus().getCode()).isEqualTo(Code.UNAVAILABLE_VALUE);
    assertThat(unknown.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(503);
    assertThat(unknown.getDeniedResponse().getHeadersList()).noneMatch(h -> h.getHeader().getKey().equals("www-authenticate"));
  }

  private static String header(CheckResponse response, String name) {
    return response.getDeniedResponse().getHeadersList().stream().filter(h -> h.getHeader().getKey().equals(name))
        .findFirst().orElseThrow().getHeader().getValue();
  }
}
