package ai.numio.lmgate.config;

import ai.numio.lmgate.text.YamlText;
import java.nio.file.Path;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/** Reads a YAML configuration file into SnakeYAML's node tree, whose nodes know their lines. */
final class YamlFile {

  private YamlFile() {}

  /**
   * The root node of the file, or empty for an empty file or when the file cannot be read or parsed
   * (then a problem naming the file and line is added).
   *
   * @param displayName the file as the operator named it, used in every message
   */
  static Optional<Node> read(Path file, String displayName, Problems problems) {
    try {
      return Optional.ofNullable(YamlText.read(file, displayName, "configuration file"));
    } catch (YamlText.Unusable e) {
      problems.addRaw(e.getMessage());
      return Optional.empty();
    }
  }

  /** {@code <file> line <n>}, for the origin of a node. */
  static String origin(String displayName, Node node) {
    return YamlText.origin(displayName, node);
  }
}
