package dev.embassy.config.validate;

import dev.embassy.config.model.Cluster;
import dev.embassy.config.model.ProtoDescriptorSet;
import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.model.Route;

/**
 * The cross-resource half of gRPC-JSON transcoding: a route's transcoding fits the descriptor set
 * it names and goes to HTTP/2 backends, and a new version of a descriptor set still fits every
 * stored route that uses it (else the route's listener would be NACKed on the set's write).
 */
final class GrpcTranscodingUse {
  private GrpcTranscodingUse() {}

  static void ofRoute(Route route, ConfigView view, Violations v) {
    for (int i = 0; i < route.rules().size(); i++) {
      Route.Rule rule = route.rules().get(i);
      for (int j = 0; j < rule.filters().size(); j++) {
        int ruleIndex = i;
        Violations at = v.at("rules", i, "filters", j, "grpcJsonTranscoding");
        rule.filters().get(j).grpcJsonTranscoding().filter(t -> t.protoDescriptorSet() != null).ifPresent(t -> {
          schema(view, t.protoDescriptorSet()).ifPresent(schema -> GrpcTranscodingRules.use(t, schema, at));
          for (int k = 0; k < rule.backendRefs().size(); k++) {
            String cluster = rule.backendRefs().get(k).cluster();
            boolean http1 = cluster != null && view.find(ResourceKind.CLUSTER, cluster).map(c -> !((Cluster) c).http2()).orElse(false);
            if (http1) {
              v.at("rules", ruleIndex, "backendRefs", k).add("cluster",
                  "cluster " + cluster + " speaks HTTP/1.1; a gRPC-JSON transcoding rule needs http2: true on its backends");
            }
          }
        });
      }
    }
  }

  static void ofDescriptorSet(ProtoDescriptorSet set, ConfigView view, Violations v) {
    ProtoSchema schema;
    try {
      schema = ProtoSchema.parse(set.fileDescriptorSet());
    } catch (IllegalArgumentException | NullPointerException e) {
      return; // reported by the resource's own checks
    }
    for (Route route : view.routesReferring(ResourceKind.PROTO_DESCRIPTOR_SET, set.name())) {
      Violations broken = new Violations();
      for (Route.Rule rule : route.rules()) {
        rule.filters().stream().flatMap(f -> f.grpcJsonTranscoding().stream())
            .filter(t -> set.name().equals(t.protoDescriptorSet()))
            .forEach(t -> GrpcTranscodingRules.use(t, schema, broken));
      }
      broken.errors().stream().findFirst().ifPresent(e ->
          v.add("fileDescriptorSet", "route " + route.name() + " would break: " + e.detail()));
    }
  }

  private static java.util.Optional<ProtoSchema> schema(ConfigView view, String name) {
    return view.find(ResourceKind.PROTO_DESCRIPTOR_SET, name).flatMap(found -> {
      try {
        return java.util.Optional.of(ProtoSchema.parse(((ProtoDescriptorSet) found).fileDescriptorSet()));
      } catch (IllegalArgumentException | NullPointerException e) {
        return java.util.Optional.empty();
      }
    });
  }
}
