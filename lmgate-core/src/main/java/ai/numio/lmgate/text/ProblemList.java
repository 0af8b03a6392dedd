package ai.numio.lmgate.text;

import java.util.List;

/** The message of an exception that lists an operator's file problems, one a line. */
public final class ProblemList {

  /** At most this many problems are spelled out in a message; the rest are counted. */
  public static final int MAX_IN_MESSAGE = 50;

  private ProblemList() {}

  /** The problems one a line, the first {@value #MAX_IN_MESSAGE}, then how many more. */
  public static String message(List<String> problems) {
    if (problems.size() <= MAX_IN_MESSAGE) {
      return String.join("\n", problems);
    }
    return String.join("\n", problems.subList(0, MAX_IN_MESSAGE))
        + "\n... and "
        + (problems.size() - MAX_IN_MESSAGE)
        + " more problems";
  }
}
