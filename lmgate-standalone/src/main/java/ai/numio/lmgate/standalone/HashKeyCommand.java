package ai.numio.lmgate.standalone;

import ai.numio.lmgate.auth.Sha256;
import ai.numio.lmgate.text.StrictUtf8;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code lmgate hash-key}: reads one API key from the first line of standard input and prints
 * {@code sha256:<64 lower-case hex>}, the hashed form the allow-list's {@code api_key} column
 * accepts (SPEC §4, §8). The key itself is never printed.
 */
final class HashKeyCommand {

  /** The text {@code hash-key --help} prints. */
  static final String USAGE =
      """
      Usage: lmgate hash-key < key.txt

      Reads one API key from the first line of standard input (surrounding whitespace
      is ignored) and prints sha256:<64 hex digits>, which the allow-list's api_key
      column accepts in place of the key. Only the first line is read.

      Exit status: 0 ok, 1 standard input unreadable, 2 bad usage or no usable key.
      """;

  /** Longest first line accepted; keys are far shorter. */
  static final int MAX_LINE_BYTES = 64 * 1024;

  private static final String NAME = "lmgate hash-key: ";
  private static final Pattern ALREADY_HASHED =
      Pattern.compile(Pattern.quote(Sha256.PREFIX) + "[0-9a-fA-F]{64}");

  private HashKeyCommand() {}

  /**
   * Runs the command on {@code args} (those after {@code hash-key}); {@code workingDir} is unused.
   *
   * @return {@link ExitCode#OK}, {@link ExitCode#RUNTIME_FAILURE} when standard input cannot be
   *     read, {@link ExitCode#BAD_USAGE_OR_CONFIG} for arguments or no usable key
   */
  static ExitCode run(
      List<String> args, InputStream stdin, PrintStream out, PrintStream err, Path workingDir) {
    if (args.size() == 1 && (args.get(0).equals("-h") || args.get(0).equals("--help"))) {
      out.print(USAGE);
      return ExitCode.OK;
    }
    if (!args.isEmpty()) {
      return usageError(
          err,
          "takes no arguments; give the key on standard input so it stays out of the shell"
              + " history and the process list");
    }
    byte[] line;
    try {
      line = firstLine(stdin);
    } catch (IOException e) {
      err.println(NAME + "cannot read standard input: " + e.getMessage());
      return ExitCode.RUNTIME_FAILURE;
    }
    if (line == null) {
      return usageError(
          err, "the first line of standard input is longer than " + MAX_LINE_BYTES + " bytes");
    }
    String key;
    try {
      key = StrictUtf8.decode(line).strip();
    } catch (StrictUtf8.MalformedException e) {
      return usageError(err, "the key is not valid UTF-8 text");
    }
    if (key.isEmpty()) {
      return usageError(err, "no key on standard input (the first line is empty)");
    }
    int bad = firstWhitespaceOrControl(key);
    if (bad >= 0) {
      return usageError(
          err,
          "the key has whitespace or a control character at position "
              + (bad + 1)
              + " of "
              + key.length()
              + "; the gateway never accepts such a key");
    }
    if (ALREADY_HASHED.matcher(key).matches()) {
      return usageError(
          err, "the input is already a hashed key (sha256:...); give the API key itself");
    }
    out.print(Sha256.allowListForm(key));
    out.print('\n');
    out.flush();
    return ExitCode.OK;
  }

  /**
   * The bytes of the first line, without its {@code \n}; null if it is longer than the limit. Reads
   * no further than the first line, so a key typed at a terminal needs no end-of-file.
   */
  private static byte[] firstLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
      if (line.size() == MAX_LINE_BYTES) {
        return null;
      }
      line.write(b);
    }
    return line.toByteArray();
  }

  /** The index of the first whitespace (no-break spaces included) or control character, or -1. */
  private static int firstWhitespaceOrControl(String key) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
        return i;
      }
    }
    return -1;
  }

  private static ExitCode usageError(PrintStream err, String message) {
    err.println(NAME + message);
    err.println("Usage: lmgate hash-key < key.txt   (see lmgate hash-key --help)");
    return ExitCode.BAD_USAGE_OR_CONFIG;
  }
}
