package ai.numio.lmgate.config;

import ai.numio.lmgate.text.StrictUtf8;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/** Reads a YAML configuration file into SnakeYAML's node tree, whose nodes know their lines. */
final class YamlFile {

  /** Larger than any sane configuration file; guards against pointing at the wrong file. */
  static final long MAX_BYTES = 1024 * 1024;

  private YamlFile() {}

  /**
   * The root node of the file, or empty for an empty file or when the file cannot be read or parsed
   * (then a problem naming the file and line is added).
   *
   * @param displayName the file as the operator named it, used in every message
   */
  static Optional<Node> read(Path file, String displayName, Problems problems) {
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        problems.addRaw(
            displayName
                + ": is "
                + size
                + " bytes, too large for a configuration file (at most "
                + MAX_BYTES
                + "); is this the right file?");
        return Optional.empty();
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      problems.addRaw(displayName + ": cannot read the configuration file: " + describe(e));
      return Optional.empty();
    }
    Optional<String> text = decode(bytes, displayName, problems);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(new Yaml().compose(new StringReader(text.get())));
    } catch (MarkedYAMLException e) {
      problems.addRaw(syntaxError(displayName, e));
      return Optional.empty();
    } catch (YAMLException e) {
      problems.addRaw(displayName + ": invalid YAML: " + e.getMessage());
      return Optional.empty();
    }
  }

  /** {@code <file> line <n>}, for the origin of a node. */
  static String origin(String displayName, Node node) {
    return displayName + " line " + (node.getStartMark().getLine() + 1);
  }

  private static String syntaxError(String displayName, MarkedYAMLException e) {
    Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
    String where =
        mark == null
            ? displayName
            : displayName + " line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    String problem = e.getProblem() != null ? e.getProblem() : "cannot be parsed";
    String context = e.getContext() != null ? e.getContext() + ", " : "";
    return where + ": invalid YAML: " + context + problem;
  }

  /** Strict UTF-8: a malformed byte is reported with its line instead of silently replaced. */
  private static Optional<String> decode(byte[] bytes, String displayName, Problems problems) {
    try {
      return Optional.of(StrictUtf8.decode(bytes));
    } catch (StrictUtf8.MalformedException e) {
      problems.addRaw(
          displayName + " line " + e.line() + ": not valid UTF-8; save the file as UTF-8");
      return Optional.empty();
    }
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : " " + message);
  }
}
