package ai.numio.lmgate.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The keys of SPEC §7, what each expects and the built-in defaults. */
final class ConfigSchema {

  /** One scalar setting outside {@code providers}. */
  record Setting(String section, String key, String defaultText, String expected) {
    String path() {
      return section + "." + key;
    }
  }

  /** One built-in route. */
  record DefaultRoute(String name, String prefix, String upstream, String format) {}

  static final String PROVIDERS = "providers";

  static final String PREFIX = "prefix";
  static final String UPSTREAM = "upstream";
  static final String FORMAT = "format";
  static final String ENABLED = "enabled";

  /** The keys of one route, in the order they are listed to the operator. */
  static final List<String> ROUTE_KEYS = List.of(PREFIX, UPSTREAM, FORMAT, ENABLED);

  static final List<Setting> SETTINGS =
      List.of(
          new Setting("server", "host", "0.0.0.0", "a host name or address"),
          new Setting("server", "port", "8080", "an integer"),
          new Setting("server", "shutdown_grace_seconds", "30", "an integer"),
          new Setting("server", "error_format", "lmgate", "lmgate or provider"),
          new Setting("auth", "allowlist_path", "data/allowlist.csv", "a file path"),
          new Setting("auth", "poll_interval_seconds", "30", "an integer"),
          new Setting("stats", "output_path", "data/stats.jsonl", "a file path"),
          new Setting("stats", "flush_interval_seconds", "10", "an integer"),
          new Setting("stats", "max_file_bytes", "104857600", "an integer"),
          new Setting("stats", "queue_capacity", "100000", "an integer"),
          new Setting("stats", "max_event_bytes", "1048576", "an integer"),
          new Setting("upstream", "connect_timeout_seconds", "10", "an integer"),
          new Setting("upstream", "idle_timeout_seconds", "300", "an integer"),
          new Setting("upstream", "forwarded_headers", "false", "true or false"),
          new Setting("logging", "level", "INFO", "a log level"));

  static final List<DefaultRoute> DEFAULT_ROUTES =
      List.of(
          new DefaultRoute("openai", "/openai/", "https://api.openai.com", "openai"),
          new DefaultRoute("anthropic", "/anthropic/", "https://api.anthropic.com", "anthropic"),
          new DefaultRoute("google", "/google/", "https://aiplatform.googleapis.com", "google"),
          new DefaultRoute(
              "gemini", "/gemini/", "https://generativelanguage.googleapis.com", "google"));

  private static final Pattern ROUTE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

  /** Route names must match this; shown to the operator. */
  static final String ROUTE_NAME_RULE = ROUTE_NAME.pattern();

  private static final Map<String, List<Setting>> BY_SECTION = bySection();

  private ConfigSchema() {}

  private static Map<String, List<Setting>> bySection() {
    Map<String, List<Setting>> sections = new LinkedHashMap<>();
    for (Setting s : SETTINGS) {
      sections.computeIfAbsent(s.section(), k -> new ArrayList<>()).add(s);
    }
    sections.replaceAll((k, v) -> List.copyOf(v));
    return sections;
  }

  /** Every top-level key, {@code providers} last. */
  static List<String> sections() {
    List<String> names = new ArrayList<>(BY_SECTION.keySet());
    names.add(PROVIDERS);
    return List.copyOf(names);
  }

  /** True for a section of scalar settings (everything but {@code providers}). */
  static boolean isSettingsSection(String section) {
    return BY_SECTION.containsKey(section);
  }

  /** The settings of a section of scalar settings, in schema order. */
  static List<Setting> settingsOf(String section) {
    return BY_SECTION.getOrDefault(section, List.of());
  }

  static Optional<Setting> setting(String section, String key) {
    return settingsOf(section).stream().filter(s -> s.key().equals(key)).findFirst();
  }

  /** The keys of a section of scalar settings, comma-separated, for messages. */
  static String keyList(String section) {
    return String.join(", ", settingsOf(section).stream().map(Setting::key).toList());
  }

  static boolean isRouteKey(String key) {
    return ROUTE_KEYS.contains(key);
  }

  static boolean isValidRouteName(String name) {
    return ROUTE_NAME.matcher(name).matches();
  }

  static Optional<DefaultRoute> defaultRoute(String name) {
    return DEFAULT_ROUTES.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  /** What a route key expects, for messages about a value of the wrong shape. */
  static String routeKeyExpects(String key) {
    return switch (key) {
      case PREFIX -> "a path prefix like /name/";
      case UPSTREAM -> "an http(s) URL";
      case FORMAT -> "a format name";
      case ENABLED -> "true or false";
      default -> throw new IllegalArgumentException("not a route key: " + key);
    };
  }
}
