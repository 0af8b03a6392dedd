package ai.numio.lmgate.auth;

import ai.numio.lmgate.text.ProblemList;
import java.util.List;

/**
 * The allow-list file is missing, unreadable or invalid. The message has one problem per line, each
 * naming the file (and line), and never contains a full key.
 */
public final class AllowListException extends Exception {

  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  AllowListException(List<String> problems) {
    super(ProblemList.message(problems));
    this.problems = List.copyOf(problems);
  }

  AllowListException(String problem) {
    this(List.of(problem));
  }

  /** Every problem found, in file order, e.g. {@code data/allowlist.csv line 4: empty id}. */
  public List<String> problems() {
    return problems;
  }
}
