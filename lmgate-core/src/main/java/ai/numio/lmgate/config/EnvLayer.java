package ai.numio.lmgate.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Lays {@code LMGATE_*} environment variables over the settings: {@code LMGATE_} + the key path in
 * upper case, {@code __} between levels ({@code LMGATE_SERVER__PORT}, {@code
 * LMGATE_PROVIDERS__GROQ__UPSTREAM}). A variable with {@code __} that names no key is a problem (a
 * typo); {@code LMGATE_*} variables without {@code __} are not overrides and are ignored.
 */
final class EnvLayer {

  static final String PREFIX = ConfigKey.ENV_PREFIX;

  /** Names the configuration file; not an override. */
  static final String CONFIG_VARIABLE = "LMGATE_CONFIG";

  private static final String SEPARATOR = ConfigKey.ENV_SEPARATOR;

  private EnvLayer() {}

  static void apply(Map<String, String> env, RawSettings into, Problems problems) {
    // Route values are applied after the loop so that routes first declared here are added in
    // name order (variable order differs: LMGATE_PROVIDERS__A_B__X sorts before ..._A__X).
    Map<String, Map<String, RawValue>> routeValues = new TreeMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String variable = e.getKey();
      if (!variable.startsWith(PREFIX)
          || variable.equals(CONFIG_VARIABLE)
          || !variable.contains(SEPARATOR)) {
        // Every override has a "__"; others are not ours: Kubernetes, for one, gives a pod
        // LMGATE_PORT, LMGATE_SERVICE_HOST, LMGATE_PORT_8080_TCP... for a Service named lmgate.
        continue;
      }
      String[] parts =
          variable.substring(PREFIX.length()).toLowerCase(Locale.ROOT).split(SEPARATOR, -1);
      RawValue value = new RawValue(e.getValue(), origin(variable));
      String name = String.join(".", Arrays.copyOfRange(parts, 1, parts.length));
      if (parts.length >= 2 && ConfigSchema.setting(parts[0], name).isPresent()) {
        // LMGATE_SERVER__PORT, or a key in a group: LMGATE_SERVER__TLS__CERT_PATH
        into.put(parts[0] + "." + name, value);
      } else if (parts.length == 3
          && parts[0].equals(ConfigSchema.PROVIDERS)
          && ConfigSchema.isValidRouteName(parts[1])
          && ConfigSchema.routeKey(parts[2]).isPresent()) {
        routeValues.computeIfAbsent(parts[1], n -> new TreeMap<>()).put(parts[2], value);
      } else {
        problems.addRaw(unknown(variable, parts));
      }
    }
    for (Map.Entry<String, Map<String, RawValue>> route : routeValues.entrySet()) {
      Map<String, RawValue> values = route.getValue();
      String firstOrigin =
          values.values().stream().map(RawValue::origin).sorted().findFirst().orElseThrow();
      RawSettings.RawRoute raw = into.route(route.getKey(), firstOrigin);
      values.forEach(raw::put);
    }
  }

  static String origin(String variable) {
    return "environment variable " + variable;
  }

  private static String unknown(String variable, String[] parts) {
    String section = parts[0];
    String valid;
    if (ConfigSchema.isSettingsSection(section)) {
      valid = "valid variables for " + section + ": " + String.join(", ", variablesOf(section));
    } else if (section.equals(ConfigSchema.PROVIDERS)) {
      List<String> routeVariables =
          ConfigSchema.ROUTE_KEYS.stream().map(ConfigKey::envVariable).toList();
      valid =
          "valid variables for a route: "
              + String.join(", ", routeVariables)
              + ", where <NAME> matches "
              + ConfigSchema.ROUTE_NAME_RULE
              + " once lower-cased";
    } else {
      List<String> all = new ArrayList<>();
      for (String s : ConfigSchema.sections()) {
        if (ConfigSchema.isSettingsSection(s)) {
          all.addAll(variablesOf(s));
        }
      }
      all.add(PREFIX + "PROVIDERS__<NAME>__<KEY>");
      valid = "valid variables: " + String.join(", ", all);
    }
    return "environment variable "
        + variable
        + " names no configuration key ("
        + String.join(".", parts)
        + "); "
        + valid;
  }

  private static List<String> variablesOf(String section) {
    return ConfigSchema.settingsOf(section).stream().map(ConfigKey::envVariable).toList();
  }
}
