package dev.embassy.controlplane.ir;

import com.google.protobuf.ByteString;
import java.util.List;

/**
 * A rule's gRPC-JSON transcoding, resolved: the descriptor set's bytes and the services exposed
 * (the rule's list, or every service the set defines). Rules with equal values share one
 * transcoder on their listener.
 */
public record GrpcTranscoding(String descriptorSet, ByteString descriptor, List<String> services, boolean autoMapping) {
  public GrpcTranscoding {
    services = List.copyOf(services);
  }

  @Override
  public String toString() {
    return "GrpcTranscoding[" + descriptorSet + ", " + services + ", autoMapping=" + autoMapping + "]";
  }
}
