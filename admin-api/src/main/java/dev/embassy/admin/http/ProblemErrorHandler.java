package dev.embassy.admin.http;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's own error answers, for requests refused before Javalin sees them (a NUL or a malformed
 * escape in the URL, a header too large): RFC 9457 problem+json like every other error of the
 * API, instead of Jetty's HTML page.
 */
final class ProblemErrorHandler extends ErrorHandler {
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(new HttpField(HttpHeader.CONTENT_TYPE, Problems.MEDIA_TYPE));
    return ByteBuffer.wrap(body(status, reason == null ? "The request could not be parsed" : reason, "").getBytes(StandardCharsets.UTF_8));
  }

  @Override
  protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request, HttpServletResponse response,
      int code, String message) throws IOException {
    baseRequest.setHandled(true);
    response.setContentType(Problems.MEDIA_TYPE);
    byte[] bytes = body(code, message == null ? "The request was refused" : message, request.getRequestURI()).getBytes(StandardCharsets.UTF_8);
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  private static String body(int status, String detail, String instance) {
    var node = dev.embassy.config.codec.ConfigJson.json().createObjectNode();
    node.put("type", "https://embassy.dev/problems/bad-request");
    node.put("title", status == 400 ? "Bad request" : "HTTP " + status);
    node.put("status", status);
    node.put("detail", detail);
    if (instance != null && !instance.isEmpty()) {
      node.put("instance", instance);
    }
    return node.toString();
  }
}
