package dev.embassy.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.ExtensionRegistry;
import dev.embassy.config.model.ProtoDescriptorSet;
import dev.embassy.config.model.Route;
import dev.embassy.testsupport.GreeterBackend;
import dev.embassy.testsupport.greeter.v1.HelloRequest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The transcoder's load-time refusals, found before Envoy would NACK them. */
class GrpcTranscodingRulesTest {
  private static final String GREETER = GreeterBackend.descriptorSetBase64();
  private static final Descriptor REQUEST = HelloRequest.getDescriptor();

  @Test
  void theGreeterSetIsAcceptedAndListsItsService() {
    assertThat(errors(GREETER)).isEmpty();
    assertThat(ProtoSchema.parse(GREETER).serviceNames()).containsExactly("embassy.test.greeter.v1.Greeter");
  }

  @Test
  void undecodableSetsAreRefusedAtTheField() {
    assertThat(errors("not base64!")).extracting(FieldError::detail).containsExactly("is not base64 (RFC 4648, standard alphabet, with padding)");
    assertThat(errors(Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, 0x01})))
        .extracting(FieldError::detail).containsExactly("is not a serialized google.protobuf.FileDescriptorSet");
    assertThat(errors(Base64.getEncoder().encodeToString(new byte[ProtoSchema.MAX_BYTES + 1])).getFirst().detail()).startsWith("decodes to 524289 bytes");
    assertThat(errors(null)).extracting(FieldError::pointer).containsExactly("/fileDescriptorSet");
  }

  @Test
  void aSetWithoutItsImportsIsRefused() throws Exception {
    FileDescriptorSet set = set();
    FileDescriptorSet.Builder withoutAnnotations = FileDescriptorSet.newBuilder();
    set.getFileList().stream().filter(f -> !f.getName().equals("google/api/annotations.proto")).forEach(withoutAnnotations::addFile);
    assertThat(errors(encode(withoutAnnotations.build())).getFirst().detail())
        .isEqualTo("lacks google/api/annotations.proto, imported by embassy/test/greeter/v1/greeter.proto (build the set with protoc --include_imports)");
  }

  @Test
  void httpRulesEnvoyCannotLoadAreRefusedWithTheMethod() throws Exception {
    assertThat(errors(withSayHelloRule(r -> r.setGet("/v1/greetings/{nope}"))).getFirst().detail())
        .isEqualTo("embassy.test.greeter.v1.Greeter.SayHello: path '/v1/greetings/{nope}': 'nope' names no field of embassy.test.greeter.v1.HelloRequest");
    assertThat(errors(withSayHelloRule(r -> r.setPost("/v1/greetings").setBody("nope"))).getFirst().detail())
        .contains("body 'nope' is neither '*' nor a field");
    assertThat(errors(withSayHelloRule(r -> r.clearPattern()))).isNotEmpty();
  }

  @Test
  void templatesFollowTheHttpRuleGrammar() {
    for (String ok : List.of("/", "/v1/greetings", "/v1/{name}", "/v1/{name=shelves/*}", "/v1/{name=**}", "/v1/*/x", "/v1/{name}:greet", "/v1/**")) {
      assertThat(GrpcTranscodingRules.templateProblem(ok, REQUEST)).as(ok).isNull();
    }
    assertThat(GrpcTranscodingRules.templateProblem("v1", REQUEST)).isEqualTo("must start with '/'");
    assertThat(GrpcTranscodingRules.templateProblem("/v1//x", REQUEST)).isEqualTo("empty segment");
    assertThat(GrpcTranscodingRules.templateProblem("/v1/", REQUEST)).isEqualTo("empty segment");
    assertThat(GrpcTranscodingRules.templateProblem("/v1/**/x", REQUEST)).isEqualTo("'**' must be the last segment");
    assertThat(GrpcTranscodingRules.templateProblem("/v1/{name=**}/x", REQUEST)).isEqualTo("'**' must be the last segment");
    assertThat(GrpcTranscodingRules.templateProblem("/v1/{name", REQUEST)).isEqualTo("'{' without '}'");
    assertThat(GrpcTranscodingRules.templateProblem("/v1/{name}x", REQUEST)).isEqualTo("a variable must be a whole segment");
    assertThat(GrpcTranscodingRules.templateProblem("/v1/a b", REQUEST)).contains("is neither '*', '**', a literal nor a variable");
    assertThat(GrpcTranscodingRules.templateProblem("/v1/{name.x}", REQUEST)).contains("names no field");
  }

  @Test
  void aRouteMayOnlyNameServicesTheSetDefines() {
    Violations v = new Violations();
    GrpcTranscodingRules.use(new Route.GrpcJsonTranscoding("greeter", List.of("acme.Missing"), false), ProtoSchema.parse(GREETER), v);
    assertThat(v.errors()).extracting(FieldError::pointer).containsExactly("/services/0");
    assertThat(v.errors().getFirst().detail()).contains("defines no service acme.Missing (it defines [embassy.test.greeter.v1.Greeter])");
  }

  @Test
  void twoMethodsOnOneVerbAndPathAreRefused() throws Exception {
    // SayHello's additional binding is POST /v1/greetings; bind Fail there too.
    String clash = encode(edit(set(), "Fail", r -> r.setPost("/v1/greetings").setBody("*")));
    Violations v = new Violations();
    GrpcTranscodingRules.use(new Route.GrpcJsonTranscoding("greeter", List.of(), false), ProtoSchema.parse(clash), v);
    assertThat(v.errors()).extracting(FieldError::detail).containsExactly(
        "embassy.test.greeter.v1.Greeter.SayHello and embassy.test.greeter.v1.Greeter.Fail are both bound to POST /v1/greetings;"
            + " Envoy's transcoder takes one binding once");
  }

  private static List<FieldError> errors(String base64) {
    return ResourceValidator.validate(new ProtoDescriptorSet("greeter", Map.of(), base64));
  }

  private static FileDescriptorSet set() throws Exception {
    ExtensionRegistry registry = ExtensionRegistry.newInstance();
    AnnotationsProto.registerAllExtensions(registry);
    return FileDescriptorSet.parseFrom(Base64.getDecoder().decode(GREETER), registry);
  }

  private static String withSayHelloRule(UnaryOperator<HttpRule.Builder> rule) throws Exception {
    return encode(edit(set(), "SayHello", rule));
  }

  private static FileDescriptorSet edit(FileDescriptorSet set, String method, UnaryOperator<HttpRule.Builder> rule) {
    FileDescriptorSet.Builder edited = set.toBuilder();
    for (FileDescriptorProto.Builder file : edited.getFileBuilderList()) {
      file.getServiceBuilderList().forEach(service -> service.getMethodBuilderList().stream()
          .filter(m -> m.getName().equals(method))
          .forEach(m -> m.setOptions(MethodOptions.newBuilder().setExtension(AnnotationsProto.http, rule.apply(HttpRule.newBuilder()).build()))));
    }
    return edited.build();
  }

  private static String encode(FileDescriptorSet set) {
    return Base64.getEncoder().encodeToString(set.toByteArray());
  }
}
