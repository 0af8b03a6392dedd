package ai.numio.lmgate.auth;

import java.util.List;

/**
 * The allow-list file is missing, unreadable or invalid. The message has one problem per line, each
 * naming the file (and line), and never contains a full key.
 */
public final class AllowListException extends Exception {

  private static final long serialVersionUID = 1L;

  /** At most this many problems are spelled out in the message; all are in {@link #problems()}. */
  static final int MAX_PROBLEMS_IN_MESSAGE = 50;

  private final List<String> problems;

  AllowListException(List<String> problems) {
    super(message(problems));
    this.problems = List.copyOf(problems);
  }

  AllowListException(String problem) {
    this(List.of(problem));
  }

  /** Every problem found, in file order, e.g. {@code data/allowlist.csv line 4: empty id}. */
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
