package ai.numio.lmgate.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Loads the configuration of SPEC §7: built-in defaults, overlaid by a YAML file, overlaid by
 * {@code LMGATE_*} environment variables, key by key; then validates every setting at once.
 *
 * <p>The file is, in this order: the explicit file (e.g. {@code --config}), the file named by
 * {@code LMGATE_CONFIG}, {@code config/lmgate.yaml} under the working directory if present, else
 * none. An explicit or {@code LMGATE_CONFIG} file must exist.
 */
public final class ConfigLoader {

  /** The file used when neither an explicit file nor {@code LMGATE_CONFIG} is given. */
  public static final Path DEFAULT_FILE = Path.of("config", "lmgate.yaml");

  private ConfigLoader() {}

  /** The validated configuration; see {@link #loadWithSource}. */
  public static LMGateConfig load(
      Optional<Path> explicitFile, Map<String, String> env, Path workingDir)
      throws ConfigException {
    return loadWithSource(explicitFile, env, workingDir).config();
  }

  /**
   * The validated configuration and the file it was read from.
   *
   * @param explicitFile a file the operator named (e.g. {@code --config}); wins over everything
   * @param env the environment ({@code System.getenv()}); {@code LMGATE_CONFIG} names the file,
   *     other {@code LMGATE_*} variables override settings
   * @param workingDir relative paths (the file, {@code auth.allowlist_path}, {@code
   *     stats.output_path}) resolve against it
   * @throws ConfigException listing every problem found, each naming key, value and origin
   */
  public static LoadedConfig loadWithSource(
      Optional<Path> explicitFile, Map<String, String> env, Path workingDir)
      throws ConfigException {
    Objects.requireNonNull(explicitFile, "explicitFile");
    Objects.requireNonNull(env, "env");
    Path base = workingDir.toAbsolutePath().normalize();
    Problems problems = new Problems();
    RawSettings raw = RawSettings.defaults();

    Optional<ChosenFile> source = chooseFile(explicitFile, env, base, problems);
    source.ifPresent(
        file ->
            YamlFile.read(file.absolute(), file.displayName(), problems)
                .ifPresent(root -> FileLayer.apply(root, file.displayName(), raw, problems)));
    EnvLayer.apply(env, raw, problems);
    Optional<LMGateConfig> config = ConfigBinder.bind(raw, base, problems);
    if (!problems.isEmpty() || config.isEmpty()) {
      throw new ConfigException(problems.asList());
    }
    return new LoadedConfig(config.get(), source.map(ChosenFile::absolute));
  }

  /** The built-in defaults, relative paths resolved against {@code workingDir}. */
  static LMGateConfig defaults(Path workingDir) {
    Problems problems = new Problems();
    return ConfigBinder.bind(
            RawSettings.defaults(), workingDir.toAbsolutePath().normalize(), problems)
        .orElseThrow(
            () -> new IllegalStateException("invalid built-in defaults: " + problems.asList()));
  }

  /** A configuration file: where it is and how the operator named it. */
  private record ChosenFile(Path absolute, String displayName) {}

  private static Optional<ChosenFile> chooseFile(
      Optional<Path> explicitFile, Map<String, String> env, Path base, Problems problems) {
    if (explicitFile.isPresent()) {
      return mustExist(explicitFile.get(), explicitFile.get().toString(), "", base, problems);
    }
    String fromEnv = env.get(EnvLayer.CONFIG_VARIABLE);
    if (fromEnv != null && !fromEnv.isBlank()) {
      String named = " (named by environment variable " + EnvLayer.CONFIG_VARIABLE + ")";
      try {
        return mustExist(Path.of(fromEnv.trim()), fromEnv.trim(), named, base, problems);
      } catch (InvalidPathException e) {
        problems.addRaw(
            "configuration file "
                + Problems.quote(fromEnv)
                + named
                + " is not a valid path: "
                + e.getReason());
        return Optional.empty();
      }
    }
    Path conventional = base.resolve(DEFAULT_FILE);
    if (Files.exists(conventional)) {
      return mustExist(DEFAULT_FILE, DEFAULT_FILE.toString(), "", base, problems);
    }
    return Optional.empty();
  }

  private static Optional<ChosenFile> mustExist(
      Path file, String displayName, String namedBy, Path base, Problems problems) {
    Path absolute = base.resolve(file).normalize();
    if (!Files.exists(absolute)) {
      problems.addRaw(
          "configuration file "
              + displayName
              + namedBy
              + " not found"
              + (file.isAbsolute() ? "" : " (looked for " + absolute + ")"));
      return Optional.empty();
    }
    if (!Files.isRegularFile(absolute)) {
      problems.addRaw("configuration file " + displayName + namedBy + " is not a regular file");
      return Optional.empty();
    }
    return Optional.of(new ChosenFile(absolute, displayName));
  }
}
