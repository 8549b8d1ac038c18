package dev.embassy.discovery.consul;

import dev.embassy.discovery.InstancesListener;
import dev.embassy.discovery.ServiceInstance;
import dev.embassy.discovery.ServiceQuery;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every list a watch delivered, with the time it arrived. */
final class RecordingListener implements InstancesListener {
  record Call(long nanos, List<ServiceInstance> instances) {}

  private final List<Call> calls = new CopyOnWriteArrayList<>();

  @Override
  public void instancesChanged(ServiceQuery query, List<ServiceInstance> instances) {
    calls.add(new Call(System.nanoTime(), instances));
  }

  List<Call> calls() {
    return List.copyOf(calls);
  }

  List<String> latestIds() {
    return calls.isEmpty() ? List.of("(no call yet)") : calls.getLast().instances().stream().map(ServiceInstance::id).toList();
  }

  List<ServiceInstance> latest() {
    return calls.isEmpty() ? List.of() : calls.getLast().instances();
  }
}
