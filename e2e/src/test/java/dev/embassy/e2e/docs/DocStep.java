package dev.embassy.e2e.docs;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One thing a docs page tells the reader to do, as the docs test replays it. Pages mark what is
 * replayed with {@code <!-- docs-test: ... -->} before a fenced block; see {@link DocExampleExtractor}.
 */
public sealed interface DocStep {
  /** Where the step is written: the page and the 1-based line of the command or fence. */
  record Location(Path page, int line) {
    @Override
    public String toString() {
      return page + ":" + line;
    }
  }

  Location at();

  /** A file block ({@code <!-- docs-test: file NAME -->}) the reader saves, e.g. a config document. */
  record WriteFile(Location at, String name, String content) implements DocStep {}

  /** {@code bin/embassyctl ARGS [> FILE]}, with the exit status it must end with (0 unless {@code # expect exit N}). */
  record RunCtl(Location at, List<String> args, Optional<String> stdoutTo, int expectedExit) implements DocStep {}

  /** A curl request and what its answer must show ({@code # expect STATUS; NAME: VALUE; body contains TEXT}). */
  record SendRequest(Location at, CurlCommand request, ResponseExpectation expected) implements DocStep {}

  /** What a curl line's {@code # expect ...} comment asks of the answer. */
  record ResponseExpectation(int status, List<HeaderExpectation> headers, List<String> bodyContains) {}

  /** A response header that must be present ({@code value} empty: {@code NAME: *}) or equal {@code value}. */
  record HeaderExpectation(String name, Optional<String> value) {}
}
