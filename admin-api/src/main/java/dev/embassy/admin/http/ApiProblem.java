package dev.embassy.admin.http;

import dev.embassy.config.validate.FieldError;
import java.util.List;
import java.util.Map;

/**
 * A request the HTTP layer itself refuses (bad syntax, wrong media type, missing credentials...),
 * rendered as RFC 9457 problem details by {@link Problems}.
 */
public final class ApiProblem extends RuntimeException {
  private final int status;
  private final String title;
  private final List<FieldError> errors;
  private final Map<String, String> headers;

  public ApiProblem(int status, String title, String detail) {
    this(status, title, detail, List.of(), Map.of());
  }

  public ApiProblem(int status, String title, String detail, List<FieldError> errors, Map<String, String> headers) {
    super(detail, null, false, false);
    this.status = status;
    this.title = title;
    this.errors = List.copyOf(errors);
    this.headers = Map.copyOf(headers);
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  public List<FieldError> errors() {
    return errors;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
