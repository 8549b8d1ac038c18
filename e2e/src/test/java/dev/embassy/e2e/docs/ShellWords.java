package dev.embassy.e2e.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Splits one shell command line into words the way sh does for the quoting the docs use: single
 * quotes literal, double quotes with {@code $NAME}/{@code ${NAME}} expanded, backslash escapes
 * outside single quotes. Only the variables given may be expanded; any other {@code $} is refused
 * (the test could not know what the reader's shell would put there). Pipes, globs, command
 * substitution and the like are refused too, so a replayed line means what it says.
 */
final class ShellWords {
  private ShellWords() {}

  static List<String> split(String line, Map<String, String> variables) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'') {
        int end = line.indexOf('\'', i + 1);
        if (end < 0) {
          throw new IllegalArgumentException("unclosed ' in: " + line);
        }
        word = append(word, line.substring(i + 1, end));
        i = end;
      } else if (c == '"') {
        word = word == null ? new StringBuilder() : word;
        i++;
        while (i < line.length() && line.charAt(i) != '"') {
          char d = line.charAt(i);
          if (d == '\\' && i + 1 < line.length() && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
            word.append(line.charAt(++i));
          } else if (d == '$') {
            i = expand(line, i, variables, word);
          } else if (d == '`') {
            throw new IllegalArgumentException("command substitution is not replayed: " + line);
          } else {
            word.append(d);
          }
          i++;
        }
        if (i >= line.length()) {
          throw new IllegalArgumentException("unclosed \" in: " + line);
        }
      } else if (c == '\\' && i + 1 < line.length()) {
        word = append(word, String.valueOf(line.charAt(++i)));
      } else if (c == '$') {
        word = word == null ? new StringBuilder() : word;
        i = expand(line, i, variables, word);
      } else if (Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else if ("|;&<`*?()".indexOf(c) >= 0) {
        throw new IllegalArgumentException("shell operator " + c + " is not replayed by the docs test: " + line);
      } else {
        word = append(word, String.valueOf(c));
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }

  /** Expands the variable at {@code line[i] == '$'}; returns the index of its last character. */
  private static int expand(String line, int i, Map<String, String> variables, StringBuilder into) {
    int start = i + 1;
    boolean braced = start < line.length() && line.charAt(start) == '{';
    int nameStart = braced ? start + 1 : start;
    int end = nameStart;
    while (end < line.length() && (Character.isLetterOrDigit(line.charAt(end)) || line.charAt(end) == '_')) {
      end++;
    }
    String name = line.substring(nameStart, end);
    if (braced) {
      if (end >= line.length() || line.charAt(end) != '}') {
        throw new IllegalArgumentException("unsupported ${...} in: " + line);
      }
      end++;
    }
    String value = variables.get(name);
    if (name.isEmpty() || value == null) {
      throw new IllegalArgumentException("$" + name + " is not a variable the docs test sets (" + variables.keySet() + "): " + line);
    }
    into.append(value);
    return end - 1;
  }

  private static StringBuilder append(StringBuilder word, String text) {
    return (word == null ? new StringBuilder() : word).append(text);
  }
}
