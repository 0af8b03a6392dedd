package ai.numio.lmgate.config;

import java.util.ArrayList;
import java.util.List;

/** Collects configuration problems so every mistake is reported at once. */
final class Problems {

  private static final int MAX_QUOTED_LENGTH = 120;

  private final List<String> problems = new ArrayList<>();

  /** Adds {@code "<key>: <problem> (<origin>)"}. */
  void add(String key, String problem, String origin) {
    problems.add(key + ": " + problem + " (" + origin + ")");
  }

  /** Adds a problem text as it is. */
  void addRaw(String problem) {
    problems.add(problem);
  }

  int size() {
    return problems.size();
  }

  boolean isEmpty() {
    return problems.isEmpty();
  }

  List<String> asList() {
    return List.copyOf(problems);
  }

  /** The value in double quotes, control characters escaped and long values shortened. */
  static String quote(String value) {
    StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_QUOTED_LENGTH) + 8);
    out.append('"');
    int shown = Math.min(value.length(), MAX_QUOTED_LENGTH);
    for (int i = 0; i < shown; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (Character.isISOControl(c)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    if (shown < value.length()) {
      out.append("...");
    }
    return out.append('"').toString();
  }
}
