package dev.embassy.discovery.consul;

import dev.embassy.discovery.DiscoveryException;
import dev.embassy.discovery.ServiceInstance;
import dev.embassy.discovery.ServiceQuery;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ConsulHealthApi} that answers from a script, one outcome per read; a read with nothing
 * scripted blocks like a blocking query until an outcome is added or the reading thread is
 * interrupted. For the watch logic's unit tests; the real client is tested against a real Consul.
 */
final class ScriptedHealthApi implements ConsulHealthApi {
  sealed interface Outcome {}

  record Answer<T>(T value, long index) implements Outcome {}

  record Failure(String message) implements Outcome {}

  private static final String CATALOG = "\u0000catalog";

  private final Map<String, LinkedBlockingQueue<Outcome>> script = new ConcurrentHashMap<>();
  private final Map<String, List<Long>> indexesSent = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();

  void answer(String service, List<ServiceInstance> instances, long index) {
    queue(service).add(new Answer<>(instances, index));
  }

  void answerCatalog(Set<String> services, long index) {
    queue(CATALOG).add(new Answer<>(services, index));
  }

  void fail(String service, String message) {
    queue(service).add(new Failure(message));
  }

  /** Reads started for {@code service} (the one blocked now included). */
  int reads(String service) {
    return reads.computeIfAbsent(service, s -> new AtomicInteger()).get();
  }

  List<Long> indexesSent(String service) {
    return List.copyOf(indexesSent.getOrDefault(service, List.of()));
  }

  int inFlight() {
    return inFlight.get();
  }

  @Override
  @SuppressWarnings("unchecked")
  public ConsulAnswer<List<ServiceInstance>> serviceInstances(ServiceQuery query, long index, long waitSeconds) {
    Answer<?> answer = take(query.service(), index);
    return new ConsulAnswer<>((List<ServiceInstance>) answer.value(), answer.index());
  }

  @Override
  @SuppressWarnings("unchecked")
  public ConsulAnswer<Set<String>> catalogServices(Optional<String> datacenter, long index, long waitSeconds) {
    Answer<?> answer = take(CATALOG, index);
    return new ConsulAnswer<>((Set<String>) answer.value(), answer.index());
  }

  private Answer<?> take(String key, long index) {
    indexesSent.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(index);
    reads.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    inFlight.incrementAndGet();
    try {
      Outcome outcome = queue(key).take();
      return switch (outcome) {
        case Answer<?> answer -> answer;
        case Failure failure -> throw new DiscoveryException(failure.message());
      };
    } catch (InterruptedException e) {
      // As the real client: an interrupted blocking read fails.
      Thread.currentThread().interrupt();
      throw new DiscoveryException("interrupted");
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private LinkedBlockingQueue<Outcome> queue(String key) {
    return script.computeIfAbsent(key, k -> new LinkedBlockingQueue<>());
  }
}
