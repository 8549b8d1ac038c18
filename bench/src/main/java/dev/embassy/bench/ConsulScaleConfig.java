package dev.embassy.bench;

/**
 * The config of the Consul benchmark, as JSON: {@code services} clusters discovered through Consul
 * (cluster {@code svc-N} watches service {@code svc-N}), one gateway {@value #GATEWAY} (node group
 * of the same name) with one HTTP listener on {@code listenerPort}, and one route per cluster, so
 * every cluster is in use and Envoy holds every assignment.
 */
record ConsulScaleConfig(int services, int listenerPort) {
  static final String GATEWAY = "edge";

  /** The RouteConfiguration of the gateway's one listener, as a simulated client asks for it. */
  static String routeConfiguration() {
    return GATEWAY + "-http";
  }

  String json() {
    StringBuilder json = new StringBuilder(services * 260);
    json.append("{\"clusters\":[");
    for (int s = 0; s < services; s++) {
      json.append(s > 0 ? "," : "").append("{\"name\":\"").append(ConsulFleet.service(s))
          .append("\",\"discovery\":{\"consul\":{\"service\":\"").append(ConsulFleet.service(s)).append("\"}}}");
    }
    json.append("],\"gateways\":[{\"name\":\"").append(GATEWAY).append("\",\"nodeGroup\":\"").append(GATEWAY)
        .append("\",\"listeners\":[{\"name\":\"http\",\"port\":").append(listenerPort).append("}]}],\"routes\":[");
    for (int s = 0; s < services; s++) {
      json.append(s > 0 ? "," : "").append("{\"name\":\"route-").append(s).append("\",\"gateway\":\"").append(GATEWAY)
          .append("\",\"hostnames\":[\"h").append(s % 100).append(".example.com\"],\"rules\":[{\"matches\":[{\"path\":")
          .append("{\"type\":\"PathPrefix\",\"value\":\"/api/").append(s).append("\"}}],\"backendRefs\":[{\"cluster\":\"")
          .append(ConsulFleet.service(s)).append("\"}]}]}");
    }
    return json.append("]}").toString();
  }
}
