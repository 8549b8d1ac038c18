package dev.embassy.controlplane.translate;

import dev.embassy.config.codec.ConfigJson;
import dev.embassy.controlplane.ir.MeshIdentity;
import dev.embassy.controlplane.ir.MeshIntentions;
import dev.embassy.controlplane.ir.MeshSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Consul Connect state a golden case is translated with: golden/mesh/NAME.yaml, standing in
 * for what the Consul agent would answer (roots, leaves, intentions per destination). A case
 * without one has no Connect state, as a control plane that has not heard from Consul.
 */
record GoldenMesh(String trustDomain, List<String> roots, List<Identity> identities, Map<String, MeshIntentions> intentions)
    implements MeshSource {
  record Identity(String service, String spiffeId, String certificate, String key) {}

  GoldenMesh {
    roots = roots == null ? List.of() : List.copyOf(roots);
    identities = identities == null ? List.of() : List.copyOf(identities);
    intentions = intentions == null ? Map.of() : Map.copyOf(intentions);
  }

  static MeshSource of(Path goldenDirectory, String name) throws IOException {
    Path file = goldenDirectory.resolve("mesh").resolve(name + ".yaml");
    return Files.exists(file) ? ConfigJson.yaml().readValue(file.toFile(), GoldenMesh.class) : MeshSource.NONE;
  }

  @Override
  public Optional<MeshIdentity> identity(String service) {
    return identities.stream().filter(i -> i.service().equals(service)).findFirst()
        .map(i -> new MeshIdentity(i.service(), i.spiffeId(), i.certificate(), i.key(), trustDomain, roots));
  }

  @Override
  public Optional<MeshIntentions> intentions(String destination) {
    return Optional.ofNullable(intentions.get(destination));
  }
}
