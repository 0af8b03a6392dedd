package ai.numio.lmgate.config;

import ai.numio.lmgate.text.Quoted;
import java.util.ArrayList;
import java.util.List;

/** Collects configuration problems so every mistake is reported at once. */
final class Problems {

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
    return Quoted.of(value);
  }
}
