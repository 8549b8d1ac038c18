package dev.embassy.config.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.ProtoDescriptorSet;
import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.model.Route;
import dev.embassy.testsupport.GreeterBackend;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cross-resource rules of gRPC-JSON transcoding on the real store, for single writes and
 * applies alike: a route's services must be in its descriptor set and its backends HTTP/2, and a
 * new version of a set may not drop a service a stored route exposes. Refused writes change nothing.
 */
@ExtendWith(PostgresExtension.class)
class GrpcTranscodingStoreIT {
  private static final String GREETER = GreeterBackend.descriptorSetBase64();
  private ConfigStore store;

  @BeforeEach
  void seed(TestDatabase database) throws Exception {
    ConfigSchema.migrate(database.dataSource());
    store = new ConfigStore(database.dataSource());
    store.apply(ConfigJson.yaml().readValue("""
        protoDescriptorSets: [{name: greeter, fileDescriptorSet: %s}]
        clusters:
          - {name: grpc, http2: true, discovery: {static: {endpoints: [{address: 127.0.0.1, port: 9000}]}}}
          - {name: http1, discovery: {static: {endpoints: [{address: 127.0.0.1, port: 9001}]}}}
        gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: 10000}]}]
        routes: [%s]
        """.formatted(GREETER, route("rest", "grpc", "[embassy.test.greeter.v1.Greeter]")), ConfigDocument.class), true, false, "it", "seed");
  }

  private static String route(String name, String cluster, String services) {
    return """
        {name: %s, gateway: edge, rules: [{matches: [{path: {value: /%s/}}],
         filters: [{type: GrpcJsonTranscoding, grpcJsonTranscoding: {protoDescriptorSet: greeter, services: %s}}],
         backendRefs: [{cluster: %s}]}]}""".formatted(name, name, services, cluster);
  }

  private static ConfigResource read(String yaml, Class<? extends ConfigResource> type) throws Exception {
    return ConfigJson.yaml().readValue(yaml, type);
  }

  @Test
  void aRouteToAnHttp1ClusterOrAMissingServiceIsRefusedWithPointers() throws Exception {
    long before = store.latestRevision();
    assertThatThrownBy(() -> store.create(read(route("other", "http1", "[acme.Missing]"), Route.class), "it", "bad"))
        .isInstanceOfSatisfying(StoreException.Invalid.class, e -> assertThat(e.errors()).extracting(f -> f.pointer()).containsExactlyInAnyOrder(
            "/rules/0/filters/0/grpcJsonTranscoding/services/0", "/rules/0/backendRefs/0/cluster"));
    assertThat(store.latestRevision()).isEqualTo(before);
    store.create(read(route("other", "grpc", "[]"), Route.class), "it", "good");
    assertThat(store.get(ResourceKind.ROUTE, "other")).isPresent();
  }

  @Test
  void aDescriptorSetThatDropsAStoredRoutesServiceIsRefused() throws Exception {
    // A valid set, but its service is renamed: the stored route "rest" exposes the Greeter.
    String other = renamedService(GREETER, "Welcomer");
    long before = store.latestRevision();
    assertThatThrownBy(() -> store.replace(new ProtoDescriptorSet("greeter", Map.of(), other), OptionalLong.empty(), "it", "swap"))
        .isInstanceOfSatisfying(StoreException.Invalid.class, e -> {
          assertThat(e.errors()).extracting(f -> f.pointer()).containsExactly("/fileDescriptorSet");
          assertThat(e.errors().getFirst().detail()).startsWith("route rest would break: descriptor set greeter defines no service embassy.test.greeter.v1.Greeter");
        });
    assertThat(store.latestRevision()).isEqualTo(before);
    assertThat(((ProtoDescriptorSet) store.get(ResourceKind.PROTO_DESCRIPTOR_SET, "greeter").orElseThrow().resource()).fileDescriptorSet())
        .isEqualTo(GREETER);
  }

  /** A second, different but valid set: the Greeter's with its service renamed. */
  private static String renamedService(String base64, String name) throws Exception {
    var registry = com.google.protobuf.ExtensionRegistry.newInstance();
    com.google.api.AnnotationsProto.registerAllExtensions(registry);
    var set = com.google.protobuf.DescriptorProtos.FileDescriptorSet.parseFrom(java.util.Base64.getDecoder().decode(base64), registry).toBuilder();
    for (var file : set.getFileBuilderList()) {
      file.getServiceBuilderList().forEach(service -> service.setName(name));
    }
    return java.util.Base64.getEncoder().encodeToString(set.build().toByteArray());
  }
}
