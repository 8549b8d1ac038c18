package dev.embassy.bench;

/**
 * The config at benchmark scale, as JSON: {@code routes} routes over {@code clusters} static
 * clusters with {@code endpointsPerCluster} endpoints each, spread evenly over {@code groups}
 * gateways (node groups {@code edge-0} ...; a single group is named {@code edge}).
 */
record ScaleConfig(int routes, int clusters, int endpointsPerCluster, int groups) {
  /** The admin API benchmark's document: one gateway, two endpoints per cluster. */
  static String document(int routes, int clusters, int variant) {
    return new ScaleConfig(routes, clusters, 2, 1).json(variant);
  }

  static String group(int index, int groups) {
    return groups == 1 ? "edge" : "edge-" + index;
  }

  /** The RouteConfiguration of a group's one listener. */
  String routeConfiguration(int group) {
    return group(group, groups) + "-http";
  }

  String groupOfRoute(int route) {
    return group(route % groups, groups);
  }

  /** @param variant changes every tenth route's timeout, to measure an apply that updates 10% */
  String json(int variant) {
    StringBuilder json = new StringBuilder(routes * 200 + clusters * endpointsPerCluster * 60);
    json.append("{\"clusters\":[");
    for (int i = 0; i < clusters; i++) {
      if (i > 0) {
        json.append(',');
      }
      json.append("{\"name\":\"svc-").append(i).append("\",\"discovery\":{\"static\":{\"endpoints\":[");
      for (int e = 0; e < endpointsPerCluster; e++) {
        if (e > 0) {
          json.append(',');
        }
        json.append("{\"address\":\"10.").append(i / 250).append('.').append(i % 250).append('.').append(e + 1).append("\",\"port\":8080}");
      }
      json.append("]}}}");
    }
    json.append("],\"gateways\":[");
    for (int g = 0; g < groups; g++) {
      if (g > 0) {
        json.append(',');
      }
      json.append("{\"name\":\"").append(group(g, groups)).append("\",\"nodeGroup\":\"").append(group(g, groups))
          .append("\",\"listeners\":[{\"name\":\"http\",\"port\":10000}]}");
    }
    json.append("],\"routes\":[");
    for (int i = 0; i < routes; i++) {
      if (i > 0) {
        json.append(',');
      }
      String timeout = (i % 10 == 0 && variant > 0) ? (10 + variant) + "s" : "10s";
      json.append("{\"name\":\"route-").append(i).append("\",\"gateway\":\"").append(groupOfRoute(i)).append("\",\"hostnames\":[\"h")
          .append(i % 100).append(".example.com\"],\"rules\":[{\"matches\":[{\"path\":{\"type\":\"PathPrefix\",\"value\":\"/api/")
          .append(i).append("\"}}],\"backendRefs\":[{\"cluster\":\"svc-").append(i % clusters)
          .append("\"}],\"timeouts\":{\"request\":\"").append(timeout).append("\"}}]}");
    }
    json.append("]}");
    return json.toString();
  }
}
