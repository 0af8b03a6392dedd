package ai.numio.lmgate.standalone;

import java.io.PrintStream;
import java.util.List;

/**
 * A command ending early with one clear message on standard error and no stack trace: the exit
 * code, the message, and any details (such as every problem of an invalid configuration), printed
 * one per line below it.
 */
final class CommandFailure extends Exception {

  private final ExitCode exitCode;
  private final List<String> details;

  CommandFailure(ExitCode exitCode, String message) {
    this(exitCode, message, List.of());
  }

  CommandFailure(ExitCode exitCode, String message, List<String> details) {
    super(message, null, false, false);
    this.exitCode = exitCode;
    this.details = List.copyOf(details);
  }

  /** How the command ends. */
  ExitCode exitCode() {
    return exitCode;
  }

  /** Prints {@code prefix} and the message, then each detail as {@code " - detail"}. */
  void print(PrintStream err, String prefix) {
    err.println(prefix + getMessage());
    details.forEach(detail -> err.println("  - " + detail));
  }
}
