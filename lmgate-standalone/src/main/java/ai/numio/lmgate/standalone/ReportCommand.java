package ai.numio.lmgate.standalone;

import ai.numio.lmgate.standalone.ReportFormat.Location;
import ai.numio.lmgate.standalone.ReportFormat.Result;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code lmgate report [--format text|json] [--config FILE] [FILE ...]}: a usage summary of stats
 * files (SPEC §8), in three steps: {@link ReportOptions#parse parse} the arguments, {@link
 * ReportInputs#resolve resolve} which files to read, {@link #summarise summarise} them. Files are
 * read one line at a time, so files of any size are summarised in small memory.
 */
final class ReportCommand {

  /** The text {@code report --help} prints. */
  static final String USAGE =
      """
      Usage: lmgate report [--format text|json] [--config FILE] [FILE ...]

      Summarises usage records (JSON lines) per owner, provider and model: requests,
      errors, input, output, cache read and reasoning tokens, with per-owner and grand
      totals, the number of malformed lines (counted and skipped) and the time span.

        FILE                 a stats file; - reads standard input. Without FILE: the
                             configured stats.output_path (default data/stats.jsonl)
                             and its rotated siblings (<name>.<yyyyMMddHHmmss>[-N]),
                             oldest first
        --config FILE        the configuration to take stats.output_path from, found
                             as serve finds it: --config FILE, else $LMGATE_CONFIG,
                             else config/lmgate.yaml if present; LMGATE_* variables
                             override it. Read only when no FILE is named
        --format text|json   a text table (default) or one JSON document
        -h, --help           print this help

      Exit status: 0 ok, 1 a file is missing or unreadable, 2 bad usage or an invalid
      configuration.
      """;

  /** Longest line read; a longer one is counted as malformed without being held. */
  static final int MAX_LINE_BYTES = 1024 * 1024;

  private static final String NAME = "lmgate report: ";

  private ReportCommand() {}

  /**
   * Runs the command on {@code args} (those after {@code report}).
   *
   * @param workingDir relative files, and the configuration's relative paths, resolve against it
   * @param env the environment: {@code LMGATE_CONFIG} and the {@code LMGATE_*} overrides
   */
  static ExitCode run(
      List<String> args,
      InputStream stdin,
      PrintStream out,
      PrintStream err,
      Path workingDir,
      Map<String, String> env) {
    ReportOptions options;
    try {
      options = ReportOptions.parse(args);
    } catch (ReportOptions.BadUsage e) {
      err.println(NAME + e.getMessage());
      err.println(
          "Usage: lmgate report [--format text|json] [FILE ...]   (see lmgate report --help)");
      return ExitCode.BAD_USAGE_OR_CONFIG;
    }
    if (options.help()) {
      out.print(USAGE);
      return ExitCode.OK;
    }
    try {
      List<ReportInput> inputs = ReportInputs.resolve(options, workingDir, env);
      options.format().print(summarise(inputs, stdin), out);
      out.flush();
      return ExitCode.OK;
    } catch (CommandFailure e) {
      e.print(err, NAME);
      return e.exitCode();
    }
  }

  /**
   * Reads every input, in order, into one result.
   *
   * @throws CommandFailure {@link ExitCode#RUNTIME_FAILURE} naming the input that cannot be read
   */
  static Result summarise(List<ReportInput> inputs, InputStream stdin) throws CommandFailure {
    UsageReport report = new UsageReport();
    Location firstMalformed = null;
    List<String> read = new ArrayList<>(inputs.size());
    for (ReportInput input : inputs) {
      try {
        Location malformed = add(input, stdin, report);
        if (firstMalformed == null) {
          firstMalformed = malformed;
        }
      } catch (IOException e) {
        throw new CommandFailure(
            ExitCode.RUNTIME_FAILURE, "cannot read " + input.name() + ": " + ReportInput.reason(e));
      }
      read.add(input.name());
    }
    return new Result(List.copyOf(read), report.summary(), firstMalformed);
  }

  /** Adds every line of one input; returns its first malformed line, or null. */
  private static Location add(ReportInput input, InputStream stdin, UsageReport report)
      throws IOException {
    Location firstMalformed = null;
    try (InputStream in = input.open(stdin)) {
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
          firstMalformed = new Location(input.name(), lines.lineNumber());
        }
      }
    }
    return firstMalformed;
  }
}
