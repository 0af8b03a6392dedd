package ai.numio.lmgate.standalone;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The arguments of {@code lmgate report}, parsed.
 *
 * @param format how the result is printed
 * @param by the dimensions to group by, in the order given
 * @param since the first instant counted ({@code --since}), or null
 * @param until the instant counting stops, exclusive ({@code --until}), or null
 * @param files the files named, in order, as given ({@link #STDIN} is standard input); empty for
 *     the configured {@code stats.output_path} and its rotated siblings
 * @param configFile the {@code --config} file; read only to find the stats file when no file is
 *     named
 * @param help whether {@code -h} or {@code --help} came before any problem
 */
record ReportOptions(
    ReportFormat format,
    List<ReportDimension> by,
    Instant since,
    Instant until,
    List<String> files,
    Optional<Path> configFile,
    boolean help) {

  /** The file name that stands for standard input. */
  static final String STDIN = "-";

  private static final String FORMAT = "--format";
  private static final String BY = "--by";
  private static final String SINCE = "--since";
  private static final String UNTIL = "--until";
  private static final String FORMATS = "table, csv or json";
  private static final String DIMENSIONS = "owner, model, provider, key or day";
  private static final String TIME = "an ISO date (2026-02-16) or date-time (2026-02-16T12:00:00Z)";

  ReportOptions {
    Objects.requireNonNull(format, "format");
    by = List.copyOf(by);
    Objects.requireNonNull(configFile, "configFile");
    files = List.copyOf(files);
  }

  /** Bad usage: the message says what is wrong. */
  static final class BadUsage extends Exception {
    BadUsage(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Parses the arguments after {@code report}. Options and files may mix; {@code --} ends the
   * options; {@code --help} wins over anything after it.
   *
   * @throws BadUsage for an unknown option, a missing or wrong value, or {@code -} given twice
   */
  static ReportOptions parse(List<String> args) throws BadUsage {
    ReportFormat format = ReportFormat.TABLE;
    List<ReportDimension> by = new ArrayList<>();
    Instant since = null;
    Instant until = null;
    Optional<Path> configFile = Optional.empty();
    List<String> files = new ArrayList<>();
    boolean options = true;
    for (Iterator<String> rest = args.iterator(); rest.hasNext(); ) {
      String arg = rest.next();
      if (!options || arg.equals(STDIN) || !arg.startsWith("-")) {
        files.add(arg);
      } else if (arg.equals("--")) {
        options = false;
      } else if (arg.equals("-h") || arg.equals("--help")) {
        return new ReportOptions(format, dimensions(by), since, until, files, configFile, true);
      } else if (isOption(arg, FORMAT)) {
        String value = value(arg, FORMAT, rest, FORMATS);
        format = ReportFormat.forOption(value);
        if (format == null) {
          throw new BadUsage("unknown " + FORMAT + " '" + value + "'; use " + FORMATS);
        }
      } else if (isOption(arg, BY)) {
        for (String name : value(arg, BY, rest, DIMENSIONS).split(",", -1)) {
          ReportDimension d = ReportDimension.forOption(name.trim());
          if (d == null) {
            throw new BadUsage("unknown " + BY + " '" + name.trim() + "'; use " + DIMENSIONS);
          }
          if (by.contains(d)) {
            throw new BadUsage(BY + " " + d.optionValue() + " is given twice");
          }
          by.add(d);
        }
      } else if (isOption(arg, SINCE)) {
        since = instant(SINCE, value(arg, SINCE, rest, TIME), false);
      } else if (isOption(arg, UNTIL)) {
        until = instant(UNTIL, value(arg, UNTIL, rest, TIME), true);
      } else if (isOption(arg, CommandConfig.OPTION)) {
        configFile = Optional.of(path(value(arg, CommandConfig.OPTION, rest, "a file")));
      } else {
        throw new BadUsage("unknown option '" + arg + "'");
      }
    }
    if (files.stream().filter(STDIN::equals).count() > 1) {
      throw new BadUsage("standard input (-) can be read only once");
    }
    if (since != null && until != null && !since.isBefore(until)) {
      throw new BadUsage(
          SINCE + " " + since + " is not before " + UNTIL + " " + until + ": no record can match");
    }
    return new ReportOptions(format, dimensions(by), since, until, files, configFile, false);
  }

  private static List<ReportDimension> dimensions(List<ReportDimension> given) {
    return given.isEmpty() ? ReportDimension.DEFAULT : given;
  }

  /**
   * The instant a {@code --since} or {@code --until} value names. A date-time with an offset or
   * {@code Z} is that instant; one without is UTC. A date alone is the start of that UTC day for
   * {@code --since}, and the end of it for {@code --until} (the start of the next day, since {@code
   * --until} is exclusive), so {@code --since 2026-02-16 --until 2026-02-16} is that day.
   */
  static Instant instant(String option, String value, boolean endOfDay) throws BadUsage {
    String text = value.trim();
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException notWithOffset) {
      // try the next form
    }
    try {
      return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException notLocal) {
      // try the next form
    }
    try {
      LocalDate day = LocalDate.parse(text);
      return (endOfDay ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException notADate) {
      throw new BadUsage(option + " '" + value + "' is not " + TIME);
    }
  }

  private static boolean isOption(String arg, String name) {
    return arg.equals(name) || arg.startsWith(name + "=");
  }

  /** The value of {@code --name VALUE} (taken from {@code rest}) or {@code --name=VALUE}. */
  private static String value(String arg, String name, Iterator<String> rest, String expected)
      throws BadUsage {
    if (!arg.equals(name)) {
      return arg.substring(name.length() + 1);
    }
    if (!rest.hasNext()) {
      throw new BadUsage(name + " needs a value: " + expected);
    }
    return rest.next();
  }

  private static Path path(String value) throws BadUsage {
    if (value.isBlank()) {
      throw new BadUsage(CommandConfig.OPTION + " needs a value: a file");
    }
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new BadUsage(CommandConfig.OPTION + " '" + value + "' is not a valid path");
    }
  }
}
