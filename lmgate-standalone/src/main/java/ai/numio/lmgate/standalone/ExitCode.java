package ai.numio.lmgate.standalone;

/**
 * How a command ends (SPEC §8); {@link Main} turns it into the process's exit status.
 *
 * <p>The line between the two failures: {@link #BAD_USAGE_OR_CONFIG} is something the operator must
 * fix in what they gave LMGate (arguments, configuration, the allow-list, the key fed to {@code
 * hash-key}), reported in one clear message without a stack trace; {@link #RUNTIME_FAILURE} is the
 * environment failing a valid request (a port in use, a file missing or unreadable).
 */
enum ExitCode {
  /** Done. */
  OK(0),
  /** Valid arguments, but something failed while running: a port in use, an unreadable file. */
  RUNTIME_FAILURE(1),
  /** Bad usage or invalid input: unknown options, an invalid configuration or allow-list. */
  BAD_USAGE_OR_CONFIG(2);

  private final int status;

  ExitCode(int status) {
    this.status = status;
  }

  /** The process exit status. */
  int status() {
    return status;
  }
}
