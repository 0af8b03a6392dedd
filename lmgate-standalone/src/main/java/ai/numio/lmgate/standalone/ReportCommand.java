package ai.numio.lmgate.standalone;

import ai.numio.lmgate.standalone.ReportFormat.Location;
import ai.numio.lmgate.standalone.ReportFormat.Result;
import ai.numio.lmgate.stats.LineReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code lmgate report [--by DIMENSION ...] [--since WHEN] [--until WHEN] [--format table|csv|json]
 * [--config FILE] [FILE ...]}: a usage summary of stats files (SPEC §8, SPEC-2 §12), in three
 * steps: {@link ReportOptions#parse parse} the arguments, {@link ReportInputs#resolve resolve}
 * which files to read, {@link #summarise summarise} them. Files are read one line at a time, so
 * files of any size are summarised in small memory.
 */
final class ReportCommand {

  /** The text {@code report --help} prints. */
  static final String USAGE =
      """
      Usage: lmgate report [--by DIMENSION ...] [--since WHEN] [--until WHEN]
                           [--format table|csv|json] [--config FILE] [FILE ...]

      Summarises usage records (JSON lines) per owner, provider and model, or per the
      --by dimensions: requests, errors, input, output, cache read, cache write and
      reasoning tokens, cost in USD (the sum of the records' cost_usd) and how many
      records had no cost_usd (unpriced: never counted as free), with subtotals per
      value of the first dimension, a grand total, the malformed lines (counted and
      skipped) and the time span.

        FILE                 a stats file; - reads standard input. Without FILE: the
                             configured stats.output_path (default data/stats.jsonl)
                             and its rotated siblings (<name>.<yyyyMMddHHmmss>[-N]),
                             oldest first
        --by DIMENSION       group by owner, model, provider, key (the allow-list id)
                             or day (UTC); repeat it or separate with commas, in the
                             order of the columns: --by owner --by model, --by day,model
                             (default: owner, provider, model)
        --since WHEN         only records at or after WHEN
        --until WHEN         only records before WHEN. WHEN is an ISO date-time
                             (2026-02-16T12:00:00Z; without an offset: UTC) or a date:
                             --since 2026-02-16 starts at that day's 00:00 UTC,
                             --until 2026-02-16 ends at that day's 24:00 UTC
        --config FILE        the configuration to take stats.output_path from, found
                             as serve finds it: --config FILE, else $LMGATE_CONFIG,
                             else config/lmgate.yaml if present; LMGATE_* variables
                             override it. Read only when no FILE is named
        --format FORMAT      table (default; text is the same), csv (a header and one
                             line per group; skipped lines are reported on standard
                             error) or json (one document: rows, subtotals, total)
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
          "Usage: lmgate report [--by DIMENSION ...] [--since WHEN] [--until WHEN]"
              + " [--format table|csv|json] [FILE ...]   (see lmgate report --help)");
      return ExitCode.BAD_USAGE_OR_CONFIG;
    }
    if (options.help()) {
      out.print(USAGE);
      return ExitCode.OK;
    }
    try {
      List<ReportInput> inputs = ReportInputs.resolve(options, workingDir, env);
      options
          .format()
          .print(
              summarise(
                  inputs, stdin, new UsageReport(options.by(), options.since(), options.until())),
              out,
              err);
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
    return summarise(inputs, stdin, new UsageReport());
  }

  /** As {@link #summarise(List, InputStream)}, into the given report. */
  static Result summarise(List<ReportInput> inputs, InputStream stdin, UsageReport report)
      throws CommandFailure {
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
