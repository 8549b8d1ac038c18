package dev.embassy.discovery;

/**
 * One Consul intention: whether {@code source} may call {@code destination} ({@code *} for any
 * service on either side). {@code precedence} is Consul's own (higher wins): an exact source beats
 * a wildcard one. An intention with L7 permissions and no action of its own counts as
 * {@link Action#DENY}, which fails closed: Embassy renders L4 intentions only.
 */
public record ConnectIntention(String source, String destination, Action action, int precedence) {
  public static final String ANY = "*";

  public enum Action { ALLOW, DENY }
}
