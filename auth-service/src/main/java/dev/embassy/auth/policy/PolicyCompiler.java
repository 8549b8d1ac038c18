package dev.embassy.auth.policy;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.embassy.auth.jwks.JwksRegistry;
import dev.embassy.auth.jwks.KeySource;
import dev.embassy.auth.jwt.JwsAlgorithm;
import dev.embassy.auth.jwt.TrustedIssuer;
import dev.embassy.config.model.AuthPolicy;
import dev.embassy.config.model.AuthPolicy.ClaimRule;
import dev.embassy.config.model.AuthPolicy.JwtProvider;
import dev.embassy.config.model.DurationText;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a stored {@link AuthPolicy} into a {@link CompiledPolicy}. The store validated it already;
 * anything still unusable (a regex RE2 rejects, an unknown algorithm) throws
 * {@link IllegalArgumentException}, and the caller leaves that one policy out, so it fails closed.
 */
public final class PolicyCompiler {
  private final JwksRegistry registry;

  public PolicyCompiler(JwksRegistry registry) {
    this.registry = registry;
  }

  /** The key source a provider's keys come from; also what {@link JwksRegistry#retain} keeps. */
  public static KeySource keySource(JwtProvider provider) {
    try {
      if (provider.discoveryUrl().isPresent()) {
        return new KeySource.Discovery(provider.issuer(), new URI(provider.discoveryUrl().get()));
      }
      return new KeySource.JwksUri(provider.issuer(),
          new URI(provider.jwksUri().orElseThrow(() -> new IllegalArgumentException("provider " + provider.name() + " has no key URL"))));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("provider " + provider.name() + " has an invalid key URL", e);
    }
  }

  public CompiledPolicy compile(AuthPolicy policy) {
    Map<String, TrustedIssuer> issuers = new HashMap<>();
    for (JwtProvider provider : policy.providers()) {
      Set<JwsAlgorithm> algorithms = new LinkedHashSet<>();
      for (String name : provider.algorithms()) {
        algorithms.add(JwsAlgorithm.named(name).orElseThrow(() -> new IllegalArgumentException("unsupported algorithm " + name)));
      }
      issuers.put(provider.issuer(), new TrustedIssuer(
          provider.issuer(), registry.keys(keySource(provider)), algorithms, Set.copyOf(provider.audiences()),
          DurationText.of(provider.clockSkew()), provider.maxLifetime().map(DurationText::of)));
    }
    List<Requirement> requirements = new ArrayList<>();
    policy.requirements().scopes().forEach(scope -> requirements.add(new Requirement.Scope(scope)));
    for (ClaimRule rule : policy.requirements().claims()) {
      requirements.add(rule(rule));
    }
    TokenSource source = policy.tokenSource()
        .map(s -> s.header().<TokenSource>map(TokenSource.Header::new)
            .or(() -> s.cookie().map(TokenSource.Cookie::new))
            .or(() -> s.queryParam().map(TokenSource.QueryParam::new))
            .orElseGet(TokenSource.BearerHeader::new))
        .orElseGet(TokenSource.BearerHeader::new);
    Optional<ApiKeyTable> apiKeys = policy.apiKeys().filter(k -> !k.keys().isEmpty()).map(k -> {
      Map<String, ApiKeyTable.KeyGrant> grants = new HashMap<>();
      k.keys().forEach(key -> grants.put(key.sha256(), new ApiKeyTable.KeyGrant(key.name(), key.scopes())));
      return new ApiKeyTable(k.header(), grants);
    });
    return new CompiledPolicy(
        policy.name(), issuers, new RequirementSet(policy.requirements().mode() == AuthPolicy.Mode.all, requirements), source,
        policy.forwardClaims().stream()
            .map(c -> new CompiledPolicy.ForwardedClaim(c.claim(), c.header().toLowerCase(Locale.ROOT))).toList(),
        policy.stripAuthorization(), policy.dryRun(), apiKeys);
  }

  private static Requirement rule(ClaimRule rule) {
    String first = rule.values().isEmpty() ? "" : rule.values().getFirst();
    return switch (rule.op()) {
      case equals -> new Requirement.ClaimEquals(rule.claim(), first);
      case contains -> new Requirement.ClaimContains(rule.claim(), first);
      case oneOf -> new Requirement.ClaimOneOf(rule.claim(), Set.copyOf(rule.values()));
      case regex -> {
        try {
          yield new Requirement.ClaimMatches(rule.claim(), Pattern.compile(first));
        } catch (PatternSyntaxException e) {
          throw new IllegalArgumentException("claim " + rule.claim() + ": RE2 rejects the expression: " + e.getDescription(), e);
        }
      }
    };
  }
}
