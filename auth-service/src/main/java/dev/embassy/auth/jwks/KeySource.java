package dev.embassy.auth.jwks;

import java.net.URI;

/**
 * Where one issuer's keys come from. The issuer is part of the identity: the same URL configured
 * for two issuers gives two key sets, so a key is only ever trusted for the issuer it was
 * configured for (keys bound to their issuer).
 */
public sealed interface KeySource {
  String issuer();

  URI url();

  /** OIDC discovery: {@code url} is the openid-configuration document naming jwks_uri. */
  record Discovery(String issuer, URI url) implements KeySource {}

  /** A JWKS document fetched directly. */
  record JwksUri(String issuer, URI url) implements KeySource {}
}
