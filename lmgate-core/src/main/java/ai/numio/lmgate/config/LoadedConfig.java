package ai.numio.lmgate.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A loaded configuration and the file it came from.
 *
 * @param config the validated configuration
 * @param source the absolute, normalized path of the YAML file used; empty when no file was used
 *     (built-in defaults plus environment overrides only)
 */
public record LoadedConfig(LMGateConfig config, Optional<Path> source) {

  public LoadedConfig {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(source, "source");
  }
}
