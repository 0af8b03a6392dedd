package ai.numio.lmgate.standalone;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * One input of {@code lmgate report}: a file, or standard input when {@code path} is null.
 *
 * @param name how the report names it to the operator
 */
record ReportInput(String name, Path path) {

  /** The name of standard input in the report. */
  static final String STDIN_NAME = "(standard input)";

  /** Standard input. */
  static ReportInput stdin() {
    return new ReportInput(STDIN_NAME, null);
  }

  /** Opens the input; closing what is returned leaves {@code stdin} open. */
  InputStream open(InputStream stdin) throws IOException {
    return path == null ? new NonClosing(stdin) : Files.newInputStream(path);
  }

  /** An operator's reason for an I/O failure. */
  static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message;
  }

  /** Standard input, left open for the caller. */
  private static final class NonClosing extends FilterInputStream {
    NonClosing(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }
}
