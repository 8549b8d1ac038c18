package dev.embassy.auth.grpc;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.embassy.auth.check.Decision;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;

/**
 * Decisions as ext_authz v3 CheckResponses: the only place that knows the Envoy protocol's
 * shapes and the gRPC status codes.
 */
final class CheckResponses {
  private static final String REALM = "embassy";

  private CheckResponses() {}

  static CheckResponse of(Decision decision) {
    return switch (decision) {
      case Decision.Allow allow -> allow(allow);
      case Decision.Deny deny -> deny(deny);
    };
  }

  private static CheckResponse allow(Decision.Allow allow) {
    OkHttpResponse.Builder ok = OkHttpResponse.newBuilder();
    allow.setHeaders().forEach((name, value) -> ok.addHeaders(HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        // Overwrite, never append: a client-sent x-user-id must not survive next to ours.
        .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)));
    ok.addAllHeadersToRemove(allow.removeHeaders());
    ok.addAllQueryParametersToRemove(allow.removeQueryParameters());
    Struct.Builder metadata = Struct.newBuilder();
    allow.metadata().forEach((name, value) -> metadata.putFields(name, Value.newBuilder().setStringValue(value).build()));
    return CheckResponse.newBuilder()
        .setStatus(Status.newBuilder().setCode(Code.OK_VALUE))
        .setOkResponse(ok)
        // Lands in Envoy's envoy.filters.http.ext_authz metadata namespace, where the rate-limit
        // filter reads e.g. the sub.
        .setDynamicMetadata(metadata)
        .build();
  }

  private static CheckResponse deny(Decision.Deny deny) {
    DeniedHttpResponse.Builder denied = DeniedHttpResponse.newBuilder()
        .setStatus(HttpStatus.newBuilder().setCode(statusCode(deny.status())))
        .addHeaders(header("content-type", "application/json"))
        .setBody(body(deny));
    if (deny.status() == 401 || deny.status() == 403 && !deny.error().isEmpty()) {
      denied.addHeaders(header("www-authenticate", challenge(deny)));
    }
    return CheckResponse.newBuilder()
        .setStatus(Status.newBuilder().setCode(grpcCode(deny.status())))
        .setDeniedResponse(denied)
        .build();
  }

  /** RFC 6750 §3: the Bearer challenge, with error attributes only when a credential was sent. */
  static String challenge(Decision.Deny deny) {
    StringBuilder challenge = new StringBuilder("Bearer realm=\"").append(REALM).append('"');
    if (!deny.error().isEmpty()) {
      challenge.append(", error=\"").append(deny.error()).append('"');
      challenge.append(", error_description=\"").append(quoted(deny.description())).append('"');
    }
    if (!deny.requiredScopes().isEmpty()) {
      challenge.append(", scope=\"").append(quoted(String.join(" ", deny.requiredScopes()))).append('"');
    }
    return challenge.toString();
  }

  static String body(Decision.Deny deny) {
    String error = deny.error().isEmpty() ? (deny.status() == 401 ? "unauthorized" : deny.status() == 503 ? "unavailable" : "forbidden") : deny.error();
    return "{\"error\":\"" + json(error) + "\",\"reason\":\"" + json(deny.description()) + "\"}";
  }

  private static HeaderValueOption header(String name, String value) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
        .build();
  }

  private static StatusCode statusCode(int status) {
    return switch (status) {
      case 401 -> StatusCode.Unauthorized;
      case 503 -> StatusCode.ServiceUnavailable;
      default -> StatusCode.Forbidden;
    };
  }

  private static int grpcCode(int status) {
    return switch (status) {
      case 401 -> Code.UNAUTHENTICATED_VALUE;
      case 503 -> Code.UNAVAILABLE_VALUE;
      default -> Code.PERMISSION_DENIED_VALUE;
    };
  }

  /** Our descriptions are fixed ASCII text, but escape anyway: a quoted-string cannot hold '"' or '\'. */
  private static String quoted(String text) {
    return text.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static String json(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
