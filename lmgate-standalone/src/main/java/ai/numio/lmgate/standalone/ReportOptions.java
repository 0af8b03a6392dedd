package ai.numio.lmgate.standalone;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The arguments of {@code lmgate report}, parsed.
 *
 * @param format how the result is printed
 * @param files the files named, in order, as given ({@link #STDIN} is standard input); empty for
 *     the configured {@code stats.output_path} and its rotated siblings
 * @param configFile the {@code --config} file; read only to find the stats file when no file is
 *     named
 * @param help whether {@code -h} or {@code --help} came before any problem
 */
record ReportOptions(
    ReportFormat format, List<String> files, Optional<Path> configFile, boolean help) {

  /** The file name that stands for standard input. */
  static final String STDIN = "-";

  private static final String FORMAT = "--format";

  ReportOptions {
    Objects.requireNonNull(format, "format");
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
    ReportFormat format = ReportFormat.TEXT;
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
        return new ReportOptions(format, files, configFile, true);
      } else if (isOption(arg, FORMAT)) {
        String value = value(arg, FORMAT, rest, "text or json");
        format = ReportFormat.forOption(value);
        if (format == null) {
          throw new BadUsage("unknown " + FORMAT + " '" + value + "'; use text or json");
        }
      } else if (isOption(arg, CommandConfig.OPTION)) {
        configFile = Optional.of(path(value(arg, CommandConfig.OPTION, rest, "a file")));
      } else {
        throw new BadUsage("unknown option '" + arg + "'");
      }
    }
    if (files.stream().filter(STDIN::equals).count() > 1) {
      throw new BadUsage("standard input (-) can be read only once");
    }
    return new ReportOptions(format, files, configFile, false);
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
