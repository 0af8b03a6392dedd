package ai.numio.lmgate.config;

import java.util.List;

/**
 * The configuration is invalid; {@link #problems()} lists every mistake found, each naming the key,
 * the bad value and where it came from. The message is the problems, one per line.
 */
public final class ConfigException extends Exception {

  private final List<String> problems;

  /** An exception for the given problems (at least one). */
  public ConfigException(List<String> problems) {
    super(String.join("\n", problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in the order found; never empty. */
  public List<String> problems() {
    return problems;
  }
}
