package ai.numio.lmgate.text;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * What the validating YAML loaders (the price table, the policy file) ask of a node: its line, what
 * it is in words, and a mapping's entries checked against the keys it may have.
 */
public final class YamlNodes {

  /** Where a loader collects a problem found at a node. */
  @FunctionalInterface
  public interface Problems {
    void add(Node node, String where, String problem);
  }

  private YamlNodes() {}

  /** The node's 1-based line. */
  public static int line(Node node) {
    return node.getStartMark().getLine() + 1;
  }

  /** Whether the node is an explicit or implicit null ({@code key:} with nothing after it). */
  public static boolean isNull(Node node) {
    return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
  }

  /**
   * The node in words, for messages: {@code a mapping}, {@code a list}, {@code no value}, or the
   * quoted scalar.
   */
  public static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof ScalarNode scalar) {
      return isNull(node) ? "no value" : Quoted.of(scalar.getValue());
    }
    return "a list";
  }

  /**
   * The entries of a mapping by key, in file order; a key that is not a plain name, not one of
   * {@code valid}, or given twice is reported to {@code problems} and left out.
   */
  public static Map<String, NodeTuple> entries(
      MappingNode mapping, String where, List<String> valid, Problems problems) {
    Map<String, NodeTuple> entries = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode scalarKey) || isNull(keyNode)) {
        problems.add(keyNode, where, "a key must be a plain name, got " + describe(keyNode));
        continue;
      }
      String key = scalarKey.getValue();
      if (!valid.contains(key)) {
        problems.add(
            keyNode,
            where,
            "unknown key " + Quoted.of(key) + "; valid keys are " + String.join(", ", valid));
        continue;
      }
      NodeTuple earlier = entries.get(key);
      if (earlier != null) {
        problems.add(
            keyNode,
            where,
            key + ": given twice (also at line " + line(earlier.getKeyNode()) + ")");
        continue;
      }
      entries.put(key, tuple);
    }
    return entries;
  }
}
