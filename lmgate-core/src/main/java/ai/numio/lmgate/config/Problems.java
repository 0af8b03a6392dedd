package ai.numio.lmgate.config;

import ai.numio.lmgate.auth.KeyMask;
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

  /**
   * The value in double quotes, control characters escaped and long values shortened — or, when it
   * could be a credential pasted in the wrong place (a run of 20 or more letters, digits, {@code -}
   * and {@code _}, as API keys are; no URL, path, number or duration is), only its masked tail:
   * configuration errors are printed and logged, and must never show a key.
   */
  static String quote(String value) {
    if (mayBeCredential(value)) {
      return "\"" + KeyMask.forLog(value) + "\" (masked: it looks like a key)";
    }
    return Quoted.of(value);
  }

  static boolean mayBeCredential(String value) {
    if (value.length() < MIN_CREDENTIAL_LENGTH) {
      return false;
    }
    boolean letter = false;
    boolean digit = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c >= '0' && c <= '9') {
        digit = true;
      } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        letter = true;
      } else if (c != '-' && c != '_') {
        return false;
      }
    }
    return letter && digit;
  }

  private static final int MIN_CREDENTIAL_LENGTH = 20;
}
