package ai.numio.lmgate.standalone;

import ai.numio.lmgate.stats.StatsFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which files {@code lmgate report} reads: the files named, else the configured {@code
 * stats.output_path} and its rotated siblings, oldest first. The configuration is found and read as
 * the gateway reads it ({@link CommandConfig}), and only when no file is named.
 */
final class ReportInputs {

  private ReportInputs() {}

  /**
   * The inputs, in the order they are read.
   *
   * @param env the environment: {@code LMGATE_CONFIG} and the {@code LMGATE_*} overrides
   * @throws CommandFailure {@link ExitCode#RUNTIME_FAILURE} when a named file is unreadable or no
   *     stats file is found; {@link ExitCode#BAD_USAGE_OR_CONFIG} for an invalid configuration
   */
  static List<ReportInput> resolve(ReportOptions options, Path workingDir, Map<String, String> env)
      throws CommandFailure {
    if (!options.files().isEmpty()) {
      return named(options.files(), workingDir);
    }
    return configured(options.configFile(), workingDir, env);
  }

  /** The named files, relative ones resolved against {@code workingDir}; each must be readable. */
  static List<ReportInput> named(List<String> names, Path workingDir) throws CommandFailure {
    List<ReportInput> inputs = new ArrayList<>(names.size());
    for (String name : names) {
      if (name.equals(ReportOptions.STDIN)) {
        inputs.add(ReportInput.stdin());
        continue;
      }
      Path path = workingDir.resolve(name);
      String problem = unreadable(path);
      if (problem != null) {
        throw new CommandFailure(ExitCode.RUNTIME_FAILURE, name + ": " + problem);
      }
      inputs.add(new ReportInput(name, path));
    }
    return inputs;
  }

  /** The configured stats file and its rotated siblings. */
  static List<ReportInput> configured(
      Optional<Path> configFile, Path workingDir, Map<String, String> env) throws CommandFailure {
    Path live = CommandConfig.load(configFile, env, workingDir).config().stats().outputPath();
    return statsFiles(live, workingDir);
  }

  /**
   * {@code live} and its rotated siblings, oldest first, named relative to {@code workingDir} when
   * they are under it.
   *
   * @throws CommandFailure {@link ExitCode#RUNTIME_FAILURE} if there is none
   */
  static List<ReportInput> statsFiles(Path live, Path workingDir) throws CommandFailure {
    Path file = workingDir.resolve(live).toAbsolutePath().normalize();
    List<Path> found;
    try {
      found = StatsFiles.inOrder(file);
    } catch (IOException e) {
      throw new CommandFailure(
          ExitCode.RUNTIME_FAILURE,
          "cannot list the directory of " + file + ": " + ReportInput.reason(e));
    }
    if (found.isEmpty()) {
      throw new CommandFailure(
          ExitCode.RUNTIME_FAILURE,
          "no stats file found at "
              + file
              + " (nor rotated "
              + file.getFileName()
              + ".<yyyyMMddHHmmss> files); name the files to summarise");
    }
    Path base = workingDir.toAbsolutePath().normalize();
    List<ReportInput> inputs = new ArrayList<>(found.size());
    for (Path path : found) {
      String name = path.startsWith(base) ? base.relativize(path).toString() : path.toString();
      inputs.add(new ReportInput(name, path));
    }
    return inputs;
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
}
