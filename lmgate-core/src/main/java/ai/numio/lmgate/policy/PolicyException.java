package ai.numio.lmgate.policy;

import ai.numio.lmgate.text.ProblemList;
import java.util.List;

/**
 * The policy file is missing, unreadable or invalid. The message has one problem per line, each
 * naming the file and line, e.g. {@code policy.yaml line 7: owners: team-a: rpm: must be a whole
 * number greater than 0, got -5}. Unchecked, so a gate that fails to start on it needs no new
 * {@code throws}; at a reload it keeps the previous policies.
 */
public final class PolicyException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  PolicyException(List<String> problems) {
    super(ProblemList.message(problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a PolicyException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  PolicyException(String problem) {
    this(List.of(problem));
  }

  /** Every problem found, in file order; never empty. */
  public List<String> problems() {
    return problems;
  }
}
