package ai.numio.lmgate.standalone;

import ai.numio.lmgate.standalone.ReportFormat.Location;
import ai.numio.lmgate.standalone.ReportFormat.Result;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code lmgate report [--format text|json] [FILE ...]}: a usage summary of stats files (SPEC §8).
 * Files are read one line at a time, so files of any size are summarised in small memory.
 */
public final class ReportCommand {

  /** The text {@code report --help} prints. */
  public static final String USAGE =
      """
      Usage: lmgate report [--format text|json] [FILE ...]

      Summarises usage records (JSON lines) per owner, provider and model: requests,
      errors, input, output, cache read and reasoning tokens, with per-owner and grand
      totals, the number of malformed lines (counted and skipped) and the time span.

        FILE                 a stats file; - reads standard input. Without FILE:
                             data/stats.jsonl and its rotated siblings
                             (data/stats.jsonl.<yyyyMMddHHmmss>[-N]), oldest first
        --format text|json   a text table (default) or one JSON document
        -h, --help           print this help

      Exit status: 0 ok, 1 a file is missing or unreadable, 2 bad usage.
      """;

  /** The default stats file, relative to the working directory (SPEC §7 stats.output_path). */
  static final Path DEFAULT_FILE = Path.of("data", "stats.jsonl");

  /** Longest line read; a longer one is counted as malformed without being held. */
  static final int MAX_LINE_BYTES = 1024 * 1024;

  private static final String NAME = "lmgate report: ";
  private static final String STDIN = "-";
  private static final String STDIN_NAME = "(standard input)";

  private ReportCommand() {}

  /**
   * Runs the command on {@code args} (those after {@code report}) with the default stats file,
   * {@code data/stats.jsonl} under {@code workingDir}.
   *
   * @return the exit code: 0 ok, 1 runtime failure, 2 bad usage
   */
  public static int run(
      List<String> args, InputStream stdin, PrintStream out, PrintStream err, Path workingDir) {
    return run(args, stdin, out, err, workingDir, DEFAULT_FILE);
  }

  /**
   * As {@link #run(List, InputStream, PrintStream, PrintStream, Path)}, with another default stats
   * file (such as the configured {@code stats.output_path}), resolved against {@code workingDir}.
   */
  public static int run(
      List<String> args,
      InputStream stdin,
      PrintStream out,
      PrintStream err,
      Path workingDir,
      Path defaultFile) {
    ReportFormat format = ReportFormat.TEXT;
    List<String> names = new ArrayList<>();
    boolean options = true;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!options || arg.equals(STDIN) || !arg.startsWith("-")) {
        names.add(arg);
      } else if (arg.equals("--")) {
        options = false;
      } else if (arg.equals("-h") || arg.equals("--help")) {
        out.print(USAGE);
        return 0;
      } else if (arg.equals("--format") || arg.startsWith("--format=")) {
        String value;
        if (arg.equals("--format")) {
          if (i + 1 == args.size()) {
            return usageError(err, "--format needs a value: text or json");
          }
          value = args.get(++i);
        } else {
          value = arg.substring("--format=".length());
        }
        format = ReportFormat.forOption(value);
        if (format == null) {
          return usageError(err, "unknown --format '" + value + "'; use text or json");
        }
      } else {
        return usageError(err, "unknown option '" + arg + "'");
      }
    }
    if (names.stream().filter(STDIN::equals).count() > 1) {
      return usageError(err, "standard input (-) can be read only once");
    }

    List<Input> inputs = new ArrayList<>();
    if (names.isEmpty()) {
      Path live = workingDir.resolve(defaultFile).toAbsolutePath().normalize();
      List<Path> found;
      try {
        found = StatsFiles.inOrder(live);
      } catch (IOException e) {
        err.println(NAME + "cannot list the directory of " + live + ": " + reason(e));
        return 1;
      }
      if (found.isEmpty()) {
        err.println(
            NAME
                + "no stats file found at "
                + live
                + " (nor rotated "
                + live.getFileName()
                + ".<yyyyMMddHHmmss> files); name the files to summarise");
        return 1;
      }
      Path base = workingDir.toAbsolutePath().normalize();
      for (Path p : found) {
        inputs.add(new Input(p.startsWith(base) ? base.relativize(p).toString() : p.toString(), p));
      }
    } else {
      for (String name : names) {
        if (name.equals(STDIN)) {
          inputs.add(new Input(STDIN_NAME, null));
          continue;
        }
        Path p = workingDir.resolve(name);
        String problem = unreadable(p);
        if (problem != null) {
          err.println(NAME + name + ": " + problem);
          return 1;
        }
        inputs.add(new Input(name, p));
      }
    }

    UsageReport report = new UsageReport();
    Location firstMalformed = null;
    List<String> read = new ArrayList<>(inputs.size());
    for (Input input : inputs) {
      try {
        Location malformed = summarise(input, stdin, report);
        if (firstMalformed == null) {
          firstMalformed = malformed;
        }
      } catch (IOException e) {
        err.println(NAME + "cannot read " + input.name + ": " + reason(e));
        return 1;
      }
      read.add(input.name);
    }
    format.print(new Result(List.copyOf(read), report.summary(), firstMalformed), out);
    out.flush();
    return 0;
  }

  /** Adds every line of one input; returns its first malformed line, or null. */
  private static Location summarise(Input input, InputStream stdin, UsageReport report)
      throws IOException {
    Location firstMalformed = null;
    try (InputStream in =
        input.path == null ? new NonClosing(stdin) : Files.newInputStream(input.path)) {
      LineReader lines = new LineReader(in, MAX_LINE_BYTES);
      while (lines.next()) {
        boolean malformed;
        if (lines.tooLong()) {
          report.addMalformedLine();
          malformed = true;
        } else {
          malformed =
              report.addLine(lines.bytes(), 0, lines.length()) == UsageReport.LineResult.MALFORMED;
        }
        if (malformed && firstMalformed == null) {
          firstMalformed = new Location(input.name, lines.lineNumber());
        }
      }
    }
    return firstMalformed;
  }

  /** Why {@code path} cannot be summarised, or null if it looks readable. */
  private static String unreadable(Path path) {
    if (!Files.exists(path)) {
      return "no such file";
    }
    if (Files.isDirectory(path)) {
      return "is a directory; name the stats files in it";
    }
    if (!Files.isReadable(path)) {
      return "permission denied";
    }
    return null;
  }

  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message;
  }

  private static int usageError(PrintStream err, String message) {
    err.println(NAME + message);
    err.println(
        "Usage: lmgate report [--format text|json] [FILE ...]   (see lmgate report --help)");
    return 2;
  }

  /** A file to read, or standard input when {@code path} is null. */
  private record Input(String name, Path path) {}

  /** Standard input, left open for the caller. */
  private static final class NonClosing extends FilterInputStream {
    NonClosing(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }
}
