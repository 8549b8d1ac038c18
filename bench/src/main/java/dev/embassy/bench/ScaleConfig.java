package dev.embassy.bench;

/** The config at benchmark scale: N routes over M static clusters on one gateway, as JSON. */
final class ScaleConfig {
  private ScaleConfig() {}

  static String document(int routes, int clusters, int variant) {
    StringBuilder json = new StringBuilder(routes * 200);
    json.append("{\"clusters\":[");
    for (int i = 0; i < clusters; i++) {
      if (i > 0) {
        json.append(',');
      }
      json.append("{\"name\":\"svc-").append(i).append("\",\"discovery\":{\"static\":{\"endpoints\":[")
          .append("{\"address\":\"10.").append(i / 250).append('.').append(i % 250).append(".1\",\"port\":8080},")
          .append("{\"address\":\"10.").append(i / 250).append('.').append(i % 250).append(".2\",\"port\":8080}")
          .append("]}}}");
    }
    json.append("],\"gateways\":[{\"name\":\"edge\",\"nodeGroup\":\"edge\",\"listeners\":[{\"name\":\"http\",\"port\":10000}]}],");
    json.append("\"routes\":[");
    for (int i = 0; i < routes; i++) {
      if (i > 0) {
        json.append(',');
      }
      // variant changes every tenth route's timeout, to measure an apply that updates 10%.
      String timeout = (i % 10 == 0 && variant > 0) ? (10 + variant) + "s" : "10s";
      json.append("{\"name\":\"route-").append(i).append("\",\"gateway\":\"edge\",\"hostnames\":[\"h")
          .append(i % 100).append(".example.com\"],\"rules\":[{\"matches\":[{\"path\":{\"type\":\"PathPrefix\",\"value\":\"/api/")
          .append(i).append("\"}}],\"backendRefs\":[{\"cluster\":\"svc-").append(i % clusters)
          .append("\"}],\"timeouts\":{\"request\":\"").append(timeout).append("\"}}]}");
    }
    json.append("]}");
    return json.toString();
  }
}
