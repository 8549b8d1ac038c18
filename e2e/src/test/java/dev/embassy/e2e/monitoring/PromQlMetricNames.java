package dev.embassy.e2e.monitoring;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads. Not a full PromQL parser (none is kept up for Java):
 * it drops string literals, label matchers ({@code {...}}), range and subquery selectors
 * ({@code [...]}) and the label lists of {@code by}/{@code without}/{@code on}/{@code ignoring}/
 * {@code group_left}/{@code group_right}; what is left that is an identifier not followed by
 * {@code (} and not a keyword is a metric name. Unbalanced brackets or quotes are refused, which
 * catches the usual typo in a hand-written rule.
 */
public final class PromQlMetricNames {
  private static final Pattern LABEL_LIST = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^()]*\\)");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
      "group_left", "group_right", "inf", "nan", "Inf", "NaN", "atan2");

  private PromQlMetricNames() {}

  public static Set<String> of(String expr) {
    String text = dropStrings(expr);
    checkBalanced(text, expr);
    text = dropBracketed(text, '{', '}');
    text = dropBracketed(text, '[', ']');
    text = LABEL_LIST.matcher(text).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(text);
    while (m.find()) {
      String word = m.group();
      int after = m.end();
      while (after < text.length() && Character.isWhitespace(text.charAt(after))) {
        after++;
      }
      boolean function = after < text.length() && text.charAt(after) == '(';
      boolean partOfNumber = m.start() > 0 && (Character.isDigit(text.charAt(m.start() - 1)) || text.charAt(m.start() - 1) == '.');
      if (!function && !partOfNumber && !KEYWORDS.contains(word)) {
        names.add(word);
      }
    }
    return names;
  }

  private static String dropStrings(String expr) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < expr.length(); i++) {
      char c = expr.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        int end = i + 1;
        while (end < expr.length() && expr.charAt(end) != c) {
          end += expr.charAt(end) == '\\' ? 2 : 1;
        }
        if (end >= expr.length()) {
          throw new IllegalArgumentException("unclosed string in: " + expr);
        }
        out.append("\"\"");
        i = end;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static void checkBalanced(String text, String expr) {
    Deque<Character> open = new ArrayDeque<>();
    for (char c : text.toCharArray()) {
      switch (c) {
        case '(', '[', '{' -> open.push(c);
        case ')', ']', '}' -> {
          char expected = c == ')' ? '(' : c == ']' ? '[' : '{';
          if (open.isEmpty() || open.pop() != expected) {
            throw new IllegalArgumentException("unbalanced " + c + " in: " + expr);
          }
        }
        default -> {}
      }
    }
    if (!open.isEmpty()) {
      throw new IllegalArgumentException("unclosed " + open.peek() + " in: " + expr);
    }
  }

  private static String dropBracketed(String text, char open, char close) {
    StringBuilder out = new StringBuilder();
    int depth = 0;
    for (char c : text.toCharArray()) {
      if (c == open) {
        depth++;
      } else if (c == close) {
        depth--;
        out.append(' ');
      } else if (depth == 0) {
        out.append(c);
      }
    }
    return out.toString();
  }
}
