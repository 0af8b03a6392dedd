package ai.numio.lmgate.config;

import ai.numio.lmgate.route.Format;
import ai.numio.lmgate.route.Route;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A working directory with config files, and loading against it. */
final class ConfigFixture {

  static final Route OPENAI =
      new Route("openai", "/openai/", URI.create("https://api.openai.com"), Format.OPENAI);
  static final Route ANTHROPIC =
      new Route(
          "anthropic", "/anthropic/", URI.create("https://api.anthropic.com"), Format.ANTHROPIC);
  static final Route GOOGLE =
      new Route(
          "google", "/google/", URI.create("https://aiplatform.googleapis.com"), Format.GOOGLE);
  static final Route GEMINI =
      new Route(
          "gemini",
          "/gemini/",
          URI.create("https://generativelanguage.googleapis.com"),
          Format.GOOGLE);

  final Path dir;

  ConfigFixture(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  /** Writes {@code config/lmgate.yaml}, the file found without --config or LMGATE_CONFIG. */
  Path writeDefaultFile(String yaml) throws IOException {
    return write("config/lmgate.yaml", yaml);
  }

  Path write(String relative, String yaml) throws IOException {
    return writeBytes(relative, yaml.getBytes(StandardCharsets.UTF_8));
  }

  Path writeBytes(String relative, byte[] bytes) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
    return file;
  }

  LMGateConfig load(Map<String, String> env) throws ConfigException {
    return ConfigLoader.load(Optional.empty(), env, dir);
  }

  LMGateConfig load() throws ConfigException {
    return load(Map.of());
  }

  /** The problems of a configuration that must fail to load. */
  List<String> problems(Map<String, String> env) {
    try {
      LMGateConfig config = load(env);
      throw new AssertionError("expected a ConfigException, but loaded " + config);
    } catch (ConfigException e) {
      return e.problems();
    }
  }

  List<String> problems() {
    return problems(Map.of());
  }

  /** The problems of {@code config/lmgate.yaml} with this content. */
  List<String> problemsOf(String yaml) throws IOException {
    writeDefaultFile(yaml);
    return problems();
  }
}
