package dev.embassy.status;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One look at a service's state: whether it should take traffic (/readyz answers 200 or 503) and
 * the JSON object both /healthz and /readyz return, in the order given.
 */
public record StatusReport(boolean ready, Map<String, Object> body) {
  public StatusReport {
    body = Collections.unmodifiableMap(new LinkedHashMap<>(body));
  }
}
