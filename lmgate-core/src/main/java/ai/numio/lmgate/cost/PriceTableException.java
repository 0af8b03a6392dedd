package ai.numio.lmgate.cost;

import java.util.List;

/**
 * The price file is missing, unreadable or invalid. The message has one problem per line, each
 * naming the file and line, e.g. {@code config/prices.yaml line 7: models entry 2: input: must not
 * be negative, got -1}.
 */
public final class PriceTableException extends Exception {

  private static final long serialVersionUID = 1L;

  /** At most this many problems are spelled out in the message; all are in {@link #problems()}. */
  static final int MAX_PROBLEMS_IN_MESSAGE = 50;

  private final List<String> problems;

  PriceTableException(List<String> problems) {
    super(message(problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a PriceTableException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in file order; never empty. */
  public List<String> problems() {
    return problems;
  }

  private static String message(List<String> problems) {
    if (problems.size() <= MAX_PROBLEMS_IN_MESSAGE) {
      return String.join("\n", problems);
    }
    return String.join("\n", problems.subList(0, MAX_PROBLEMS_IN_MESSAGE))
        + "\n... and "
        + (problems.size() - MAX_PROBLEMS_IN_MESSAGE)
        + " more problems";
  }
}
