package ai.numio.lmgate.cost;

import ai.numio.lmgate.text.ProblemList;
import java.util.List;

/**
 * The price file is missing, unreadable or invalid. The message has one problem per line, each
 * naming the file and line, e.g. {@code config/prices.yaml line 7: models entry 2: input: must not
 * be negative, got -1}.
 */
public final class PriceTableException extends Exception {

  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  PriceTableException(List<String> problems) {
    super(ProblemList.message(problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a PriceTableException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in file order; never empty. */
  public List<String> problems() {
    return problems;
  }
}
