package dev.embassy.auth.jwt;

/** A token failed verification; the message is {@link TokenProblem#description()} only. */
public final class TokenRejected extends Exception {
  private final TokenProblem problem;

  public TokenRejected(TokenProblem problem) {
    // No stack trace: rejections are routine (every hostile request makes one) and cost only
    // their reason; filling a trace per request would be the expensive part.
    super(problem.description(), null, false, false);
    this.problem = problem;
  }

  public TokenProblem problem() {
    return problem;
  }
}
