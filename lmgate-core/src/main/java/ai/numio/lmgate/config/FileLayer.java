package ai.numio.lmgate.config;

import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Lays a parsed YAML file over the settings: checks its shape against the schema (unknown keys,
 * mappings where values belong and vice versa, duplicate keys) and records each value with its
 * line.
 */
final class FileLayer {

  private final String file;
  private final RawSettings into;
  private final Problems problems;

  private FileLayer(String file, RawSettings into, Problems problems) {
    this.file = file;
    this.into = into;
    this.problems = problems;
  }

  /**
   * Applies the file's values.
   *
   * @param file the file as the operator named it, for origins
   */
  static void apply(Node root, String file, RawSettings into, Problems problems) {
    new FileLayer(file, into, problems).applyRoot(root);
  }

  private void applyRoot(Node root) {
    if (isNull(root)) {
      return;
    }
    if (!(root instanceof MappingNode mapping)) {
      problems.addRaw(
          origin(root)
              + ": expected a mapping of sections ("
              + String.join(", ", ConfigSchema.sections())
              + ") at the top level, got "
              + describe(root));
      return;
    }
    for (Map.Entry<String, NodeTuple> e : entries(mapping, "").entrySet()) {
      String section = e.getKey();
      NodeTuple tuple = e.getValue();
      if (ConfigSchema.isSettingsSection(section)) {
        applySection(section, tuple.getValueNode());
      } else if (section.equals(ConfigSchema.PROVIDERS)) {
        applyProviders(tuple.getValueNode());
      } else {
        problems.add(
            section,
            "unknown key; valid keys: " + String.join(", ", ConfigSchema.sections()),
            origin(tuple.getKeyNode()));
      }
    }
  }

  private void applySection(String section, Node node) {
    applyGroup(section, "", node);
  }

  /**
   * The keys of a section, or of a group of keys within it written as a nested mapping ({@code
   * group} is then e.g. {@code "tls"}, for {@code server.tls.*}).
   */
  private void applyGroup(String section, String group, Node node) {
    String where = group.isEmpty() ? section : section + "." + group;
    String keyList =
        group.isEmpty() ? ConfigSchema.keyList(section) : ConfigSchema.groupKeyList(section, group);
    MappingNode mapping = mappingOrNull(where, node, "keys " + keyList);
    if (mapping == null) {
      return;
    }
    for (Map.Entry<String, NodeTuple> e : entries(mapping, where + ".").entrySet()) {
      String name = group.isEmpty() ? e.getKey() : group + "." + e.getKey();
      String path = section + "." + name;
      NodeTuple tuple = e.getValue();
      ConfigKey<?> setting = ConfigSchema.setting(section, name).orElse(null);
      if (setting == null && ConfigSchema.isGroup(section, name)) {
        applyGroup(section, name, tuple.getValueNode());
        continue;
      }
      if (setting == null) {
        problems.add(
            path,
            "unknown key; valid keys in " + where + ": " + keyList,
            origin(tuple.getKeyNode()));
        continue;
      }
      scalar(path, setting.type().expected(), tuple.getValueNode());
    }
  }

  private void applyProviders(Node node) {
    MappingNode mapping = mappingOrNull(ConfigSchema.PROVIDERS, node, "routes by name");
    if (mapping == null) {
      return;
    }
    String prefix = ConfigSchema.PROVIDERS + ".";
    for (Map.Entry<String, NodeTuple> e : entries(mapping, prefix).entrySet()) {
      String name = e.getKey();
      NodeTuple tuple = e.getValue();
      if (!ConfigSchema.isValidRouteName(name)) {
        problems.add(
            prefix + name,
            "invalid route name "
                + Problems.quote(name)
                + "; a route name matches "
                + ConfigSchema.ROUTE_NAME_RULE
                + " (lower-case letters, digits, _ and -)",
            origin(tuple.getKeyNode()));
        continue;
      }
      applyRoute(name, tuple);
    }
  }

  private void applyRoute(String name, NodeTuple tuple) {
    String path = ConfigSchema.PROVIDERS + "." + name;
    String routeKeys = ConfigSchema.routeKeyList();
    MappingNode mapping = mappingOrNull(path, tuple.getValueNode(), "keys " + routeKeys);
    if (mapping == null && !isNull(tuple.getValueNode())) {
      return;
    }
    RawSettings.RawRoute route = into.route(name, origin(tuple.getKeyNode()));
    if (mapping == null) {
      return;
    }
    for (Map.Entry<String, NodeTuple> e : entries(mapping, path + ".").entrySet()) {
      String key = e.getKey();
      NodeTuple keyTuple = e.getValue();
      ConfigKey<?> routeKey = ConfigSchema.routeKey(key).orElse(null);
      if (routeKey == null) {
        problems.add(
            path + "." + key,
            "unknown key; valid keys in " + path + ": " + routeKeys,
            origin(keyTuple.getKeyNode()));
        continue;
      }
      RawValue value =
          scalarValue(path + "." + key, routeKey.type().expected(), keyTuple.getValueNode());
      if (value != null) {
        route.put(key, value);
      }
    }
  }

  private void scalar(String path, String expected, Node node) {
    RawValue value = scalarValue(path, expected, node);
    if (value != null) {
      into.put(path, value);
    }
  }

  /** The value of a scalar node, or {@code null} (and a problem) for a mapping or list. */
  private RawValue scalarValue(String path, String expected, Node node) {
    if (node instanceof ScalarNode scalar) {
      return new RawValue(isNull(node) ? null : scalar.getValue(), origin(node));
    }
    problems.add(path, "expected " + expected + ", got " + describe(node), origin(node));
    return null;
  }

  /**
   * The node as a mapping; {@code null} for a YAML null (an empty section, which is fine) and for
   * anything else (with a problem).
   */
  private MappingNode mappingOrNull(String path, Node node, String expectedContent) {
    if (node instanceof MappingNode mapping) {
      return mapping;
    }
    if (!isNull(node)) {
      problems.add(
          path,
          "expected a mapping of " + expectedContent + ", got " + describe(node),
          origin(node));
    }
    return null;
  }

  /** The entries of a mapping by key; reports keys that are not plain names and duplicates. */
  private Map<String, NodeTuple> entries(MappingNode mapping, String pathPrefix) {
    Map<String, NodeTuple> entries = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode scalarKey) || isNull(keyNode)) {
        problems.add(
            pathPrefix.isEmpty() ? "(top level)" : pathPrefix.substring(0, pathPrefix.length() - 1),
            "a key must be a plain name, got " + describe(keyNode),
            origin(keyNode));
        continue;
      }
      String key = scalarKey.getValue();
      NodeTuple earlier = entries.get(key);
      if (earlier != null) {
        problems.add(
            pathPrefix + key,
            "given twice (also at line "
                + (earlier.getKeyNode().getStartMark().getLine() + 1)
                + ")",
            origin(keyNode));
        continue;
      }
      entries.put(key, tuple);
    }
    return entries;
  }

  private String origin(Node node) {
    return YamlFile.origin(file, node);
  }

  private static boolean isNull(Node node) {
    return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
  }

  private static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof ScalarNode scalar) {
      return isNull(node) ? "no value" : Problems.quote(scalar.getValue());
    }
    return "a list";
  }
}
