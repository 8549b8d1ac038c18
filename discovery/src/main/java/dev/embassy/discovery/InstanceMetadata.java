package dev.embassy.discovery;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The metadata keys Embassy reads from Consul, in one place.
 *
 * <ul>
 *   <li>service meta {@value #WEIGHT}: the endpoint's load-balancing weight, an integer 1-1000
 *       (Envoy refuses 0; an absent or invalid value means the default weight). Service meta and
 *       not Consul's own {@code Weights} because consul-api 1.4.5's model does not carry
 *       {@code Weights}, and the passing/warning split of {@code Weights} is already expressed by
 *       {@link InstanceHealth}.</li>
 *   <li>node meta {@value #REGION} and {@value #ZONE}: the endpoint's locality. Node meta, since
 *       the locality is the machine's, not the service's; Consul has no conventional keys for it.</li>
 * </ul>
 */
public final class InstanceMetadata {
  public static final String WEIGHT = "embassy-weight";
  public static final String REGION = "embassy-region";
  public static final String ZONE = "embassy-zone";
  public static final int MAX_WEIGHT = 1_000;

  private InstanceMetadata() {}

  /** The weight from service meta, if present and an integer in 1-{@value #MAX_WEIGHT}. */
  public static OptionalInt weight(ServiceInstance instance) {
    String text = instance.serviceMeta().get(WEIGHT);
    if (text == null) {
      return OptionalInt.empty();
    }
    try {
      int weight = Integer.parseInt(text.strip());
      return weight >= 1 && weight <= MAX_WEIGHT ? OptionalInt.of(weight) : OptionalInt.empty();
    } catch (NumberFormatException notANumber) {
      return OptionalInt.empty();
    }
  }

  public static Optional<String> region(ServiceInstance instance) {
    return Optional.ofNullable(instance.nodeMeta().get(REGION)).filter(r -> !r.isBlank());
  }

  public static Optional<String> zone(ServiceInstance instance) {
    return Optional.ofNullable(instance.nodeMeta().get(ZONE)).filter(z -> !z.isBlank());
  }
}
