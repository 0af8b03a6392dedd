package ai.numio.lmgate.text;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads an operator's YAML file (the configuration, the price table) into SnakeYAML's node tree,
 * whose nodes know their lines: size-capped, strict UTF-8, a syntax error reported with file, line
 * and column. One reader, so every YAML file LMGate reads fails the same way.
 */
public final class YamlText {

  /** Larger than any sane file of LMGate's; guards against pointing at the wrong file. */
  public static final long MAX_BYTES = 1024 * 1024;

  /** The file cannot be used; the message names it and says why. */
  public static final class Unusable extends Exception {
    private static final long serialVersionUID = 1L;

    Unusable(String message) {
      super(message);
    }
  }

  private YamlText() {}

  /**
   * The root node of the file, or null for an empty file.
   *
   * @param displayName the file as the operator named it, used in every message
   * @param what what the file is, for messages ({@code configuration file}, {@code price file})
   */
  public static Node read(Path file, String displayName, String what) throws Unusable {
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        throw new Unusable(
            displayName
                + ": is "
                + size
                + " bytes, too large for a "
                + what
                + " (at most "
                + MAX_BYTES
                + "); is this the right file?");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new Unusable(displayName + ": the " + what + " does not exist");
    } catch (IOException e) {
      String message = e.getMessage();
      throw new Unusable(
          displayName
              + ": cannot read the "
              + what
              + ": "
              + e.getClass().getSimpleName()
              + (message == null ? "" : " " + message));
    }
    return parse(bytes, displayName);
  }

  /** The root node of UTF-8 YAML bytes, or null when they hold no document. */
  public static Node parse(byte[] bytes, String displayName) throws Unusable {
    String text;
    try {
      text = StrictUtf8.decode(bytes);
    } catch (StrictUtf8.MalformedException e) {
      throw new Unusable(
          displayName + " line " + e.line() + ": not valid UTF-8; save the file as UTF-8");
    }
    return parse(text, displayName);
  }

  /** The root node of YAML text (a leading byte order mark is skipped), or null if empty. */
  public static Node parse(String yaml, String displayName) throws Unusable {
    String text = !yaml.isEmpty() && yaml.charAt(0) == '\uFEFF' ? yaml.substring(1) : yaml;
    try {
      return new Yaml().compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      throw new Unusable(syntaxError(displayName, e));
    } catch (YAMLException e) {
      throw new Unusable(displayName + ": invalid YAML: " + e.getMessage());
    }
  }

  /** {@code <file> line <n>}, for the origin of a node. */
  public static String origin(String displayName, Node node) {
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
}
