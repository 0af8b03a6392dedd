package ai.numio.lmgate.standalone;

import ai.numio.lmgate.config.ConfigException;
import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.config.LoadedConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The configuration as every command reads it, the way the gateway does (SPEC §7): {@code --config
 * FILE}, else {@code LMGATE_CONFIG}, else {@code config/lmgate.yaml} if present, else the built-in
 * defaults; {@code LMGATE_*} environment variables override the file.
 */
final class CommandConfig {

  /** The option naming the configuration file. */
  static final String OPTION = "--config";

  private CommandConfig() {}

  /**
   * Loads and validates the configuration with {@link ConfigLoader}.
   *
   * @throws CommandFailure {@link ExitCode#BAD_USAGE_OR_CONFIG}, listing every problem found
   */
  static LoadedConfig load(Optional<Path> explicitFile, Map<String, String> env, Path workingDir)
      throws CommandFailure {
    try {
      return ConfigLoader.loadWithSource(explicitFile, env, workingDir);
    } catch (ConfigException e) {
      throw new CommandFailure(
          ExitCode.BAD_USAGE_OR_CONFIG, "invalid configuration:", e.problems());
    }
  }
}
