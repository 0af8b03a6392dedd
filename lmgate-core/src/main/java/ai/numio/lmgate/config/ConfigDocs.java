package ai.numio.lmgate.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The user guide's table of every configuration key, written from {@link ConfigSchema}; a test
 * keeps {@code docs/user-guide.md} equal to it.
 */
final class ConfigDocs {

  private static final long MIB = 1024 * 1024;

  private ConfigDocs() {}

  /** The Markdown table, one row per key, settings first and then a route's keys; ends in LF. */
  static String table() {
    List<ConfigKey<?>> keys = new ArrayList<>(ConfigSchema.SETTINGS);
    keys.addAll(ConfigSchema.ROUTE_KEYS);
    StringBuilder out = new StringBuilder();
    out.append("| key | default | valid values | meaning |\n");
    out.append("|---|---|---|---|\n");
    for (ConfigKey<?> key : keys) {
      out.append("| `")
          .append(key.path())
          .append("` | ")
          .append(defaultCell(key))
          .append(" | ")
          .append(key.type().allowed())
          .append(" | ")
          .append(key.description())
          .append(" |\n");
    }
    return out.toString();
  }

  private static String defaultCell(ConfigKey<?> key) {
    String text = key.defaultText();
    if (key.optional()) {
      return "none";
    }
    if (text == null) {
      return "built-in routes only: a new route must set it";
    }
    if (text.isEmpty()) {
      return "none";
    }
    String cell = "`" + text + "`";
    if (key.name().endsWith("_bytes")) {
      long bytes = Long.parseLong(text);
      if (bytes >= MIB && bytes % MIB == 0) {
        cell += " (" + bytes / MIB + " MiB)";
      }
    }
    return cell;
  }
}
