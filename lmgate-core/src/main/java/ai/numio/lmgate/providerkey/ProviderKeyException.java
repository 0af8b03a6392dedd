package ai.numio.lmgate.providerkey;

import ai.numio.lmgate.text.ProblemList;
import java.util.List;

/**
 * A provider key reference cannot be resolved: its environment variable is not set, its file is
 * missing, unreadable or holds no usable key. Each problem names the configuration key and the
 * reference, never a key. Unchecked, so that a gate failing to start on it needs no new {@code
 * throws}.
 */
public final class ProviderKeyException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  ProviderKeyException(List<String> problems) {
    super(ProblemList.message(problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ProviderKeyException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  ProviderKeyException(String problem) {
    this(List.of(problem));
  }

  /** Every problem found; never empty. */
  public List<String> problems() {
    return problems;
  }
}
