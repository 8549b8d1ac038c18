package dev.embassy.auth.check;

import dev.embassy.auth.jwt.TokenRejected;
import dev.embassy.auth.jwt.TokenVerifier;
import dev.embassy.auth.policy.ApiKeyTable;
import dev.embassy.auth.policy.ClaimValues;
import dev.embassy.auth.policy.CompiledPolicy;
import dev.embassy.auth.policy.Identity;
import dev.embassy.auth.policy.PolicySet;
import dev.embassy.auth.policy.RequirementSet;
import dev.embassy.auth.policy.TokenSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides one Check: find the route's policy, read the credential, verify it, apply the
 * requirements, and build the identity headers and metadata. Pure decision logic; the gRPC layer
 * turns the result into a CheckResponse.
 *
 * <p>The decision is complete on return, except while a token's key is being refetched (see
 * {@link TokenVerifier}); the caller, a gRPC event loop, must not wait for it then.
 */
public final class CheckEvaluator {
  private static final Logger LOG = LoggerFactory.getLogger(CheckEvaluator.class);

  private final Supplier<PolicySet> policies;
  private final TokenVerifier verifier;
  private final CacheListener cacheListener;

  /** Told whether each verification was answered from the verified-token cache. */
  @FunctionalInterface
  public interface CacheListener {
    void lookedUp(boolean hit);
  }

  public CheckEvaluator(Supplier<PolicySet> policies, TokenVerifier verifier, CacheListener cacheListener) {
    this.policies = policies;
    this.verifier = verifier;
    this.cacheListener = cacheListener;
  }

  /**
   * The decision for one Check: already complete unless the token's key is being refetched.
   * Refusals are Deny decisions; the future fails only on a bug.
   */
  public CompletableFuture<Decision> check(CheckInput input) {
    if (input.warmup()) {
      return CompletableFuture.completedFuture(warmup(input));
    }
    String policyName = input.contextExtensions().get(CheckInput.POLICY_KEY);
    if (policyName == null || policyName.isEmpty()) {
      // The route reached ext_authz without a policy: the filter should have been disabled for a
      // public route. A misconfiguration retrying cannot fix, so 403, never a pass.
      return CompletableFuture.completedFuture(
          new Decision.Deny("none", "policy_missing", 403, "", "no auth policy is configured for this route", List.of()));
    }
    Optional<CompiledPolicy> found = policies.get().named(policyName);
    if (found.isEmpty()) {
      // Usually config still propagating (the route arrived at Envoy before the policy reached
      // us) or a policy that failed to compile: 503 says "not you, try again".
      return CompletableFuture.completedFuture(
          new Decision.Deny("unknown", "policy_unknown", 503, "", "the route's auth policy is not available", List.of()));
    }
    CompiledPolicy policy = found.get();
    return evaluate(policy, input).thenApply(decision -> applyDryRun(policy, input, decision));
  }

  /** A dry-run policy's denial becomes an allow that records it; other denials are logged at debug. */
  private static Decision applyDryRun(CompiledPolicy policy, CheckInput input, Decision decision) {
    if (policy.dryRun() && decision instanceof Decision.Deny deny) {
      LOG.atInfo().addKeyValue("policy", policy.name()).addKeyValue("route", input.route()).addKeyValue("reason", deny.reason())
          .addKeyValue("status", deny.status()).log("dry run: would deny");
      return new Decision.Allow(policy.name(), deny.reason(), Map.of(), identityHeaderRemovals(policy, Map.of()), List.of(), Map.of(),
          Optional.of(deny));
    }
    if (decision instanceof Decision.Deny deny && LOG.isDebugEnabled()) {
      LOG.atDebug().addKeyValue("policy", policy.name()).addKeyValue("route", input.route()).addKeyValue("reason", deny.reason())
          .addKeyValue("status", deny.status()).log("denied");
    }
    return decision;
  }

  /** Runs the token path against a policy-less issuer set, so parsing gets loaded; always denies. */
  private Decision warmup(CheckInput input) {
    // With no issuers the verification is refused (unknown issuer) at once, never waiting.
    new TokenSource.BearerHeader().extract(input.headers(), input.path()).ifPresent(token -> verifier.verify(token, Map.of()));
    return new Decision.Deny("none", "warmup", 403, "", "warm-up", List.of());
  }

  private CompletableFuture<Decision> evaluate(CompiledPolicy policy, CheckInput input) {
    Optional<String> token = policy.tokenSource().extract(input.headers(), input.path());
    if (token.isPresent()) {
      return verifier.verify(token.get(), policy.issuers()).handle((outcome, failure) -> {
        if (failure == null) {
          cacheListener.lookedUp(outcome.cached());
          return authorize(policy, new Identity(Identity.Kind.TOKEN, outcome.token().claims()), input);
        }
        // A verification that waited for a refetch fails wrapped; one decided at once does not.
        Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
        if (cause instanceof TokenRejected e) {
          return new Decision.Deny(policy.name(), e.problem().label(), 401, "invalid_token", e.problem().description(), List.of());
        }
        // Not a refusal but a bug: the gRPC layer denies with 503 and logs it.
        throw new CompletionException(cause);
      });
    }
    Optional<ApiKeyTable> keys = policy.apiKeys();
    Optional<String> presented = keys.flatMap(k -> k.presented(input.headers()));
    if (presented.isEmpty()) {
      // RFC 6750 §3.1: a request without credentials gets the challenge but no error code.
      return CompletableFuture.completedFuture(
          new Decision.Deny(policy.name(), "credentials_missing", 401, "", "a bearer token is required", List.of()));
    }
    Optional<Identity> keyIdentity = keys.get().authenticate(presented.get());
    if (keyIdentity.isEmpty()) {
      return CompletableFuture.completedFuture(
          new Decision.Deny(policy.name(), "api_key_unknown", 401, "invalid_token", "the API key is not valid", List.of()));
    }
    return CompletableFuture.completedFuture(authorize(policy, keyIdentity.get(), input));
  }

  /** The policy's requirements for an authenticated identity: allow, or 403 with what is missing. */
  private static Decision authorize(CompiledPolicy policy, Identity identity, CheckInput input) {
    Optional<RequirementSet.Shortfall> shortfall = policy.requirements().evaluate(identity);
    if (shortfall.isPresent()) {
      return new Decision.Deny(policy.name(), "requirements_unmet", 403, "insufficient_scope",
          "the credential does not meet this route's requirements", shortfall.get().requiredScopes());
    }
    return allow(policy, identity, input);
  }

  private static Decision.Allow allow(CompiledPolicy policy, Identity identity, CheckInput input) {
    Map<String, String> set = new LinkedHashMap<>();
    for (CompiledPolicy.ForwardedClaim forwarded : policy.forwardClaims()) {
      ClaimValues.lookup(identity.claims(), forwarded.claim()).flatMap(ClaimValues::text)
          .filter(CheckEvaluator::safeHeaderValue)
          .ifPresent(value -> set.put(forwarded.header(), value));
    }
    List<String> remove = identityHeaderRemovals(policy, set);
    List<String> removeQuery = List.of();
    if (policy.stripAuthorization()) {
      // The credential that was used, wherever it came from: a token read from x-token or a
      // cookie must not reach the backend any more than one in Authorization.
      TokenSource.Removal credential = identity.kind() == Identity.Kind.API_KEY
          ? new TokenSource.Removal(List.of(policy.apiKeys().orElseThrow().header()), Map.of(), List.of())
          : policy.tokenSource().removal(input.headers());
      // Authorization goes in every case, as the field's name promises.
      for (String header : concat("authorization", credential.headers())) {
        if (!remove.contains(header)) {
          remove.add(header);
        }
      }
      set.putAll(credential.setHeaders());
      removeQuery = credential.queryParameters();
    }
    return new Decision.Allow(policy.name(), identity.kind() == Identity.Kind.API_KEY ? "api_key" : "token",
        set, remove, removeQuery, metadata(identity), Optional.empty());
  }

  private static List<String> concat(String first, List<String> rest) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(rest);
    return all;
  }

  /**
   * Every configured identity header we are not setting is removed, so a client cannot supply
   * x-user-id itself when the token lacks the claim (or in dry run, where nothing is set).
   */
  private static List<String> identityHeaderRemovals(CompiledPolicy policy, Map<String, String> set) {
    List<String> remove = new ArrayList<>();
    for (CompiledPolicy.ForwardedClaim forwarded : policy.forwardClaims()) {
      if (!set.containsKey(forwarded.header()) && !remove.contains(forwarded.header())) {
        remove.add(forwarded.header());
      }
    }
    return remove;
  }

  /** Top-level claims as text (objects and mixed arrays have none and are left out), plus sub. */
  private static Map<String, String> metadata(Identity identity) {
    Map<String, String> metadata = new HashMap<>();
    identity.claims().forEach((name, value) -> ClaimValues.text(value).ifPresent(text -> metadata.put(name, text)));
    metadata.put("sub", identity.subject());
    return metadata;
  }

  /** Header values cannot carry CR, LF or NUL (RFC 9110 §5.5); such a claim is not forwarded. */
  private static boolean safeHeaderValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return false;
      }
    }
    return value.length() <= 8192;
  }
}
