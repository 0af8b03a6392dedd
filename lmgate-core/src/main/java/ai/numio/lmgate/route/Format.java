package ai.numio.lmgate.route;

import java.util.Locale;
import java.util.Optional;

/** The API family a route speaks; decides nothing the body itself does not show. */
public enum Format {
  OPENAI,
  ANTHROPIC,
  GOOGLE;

  /** The name used in configuration ({@code openai}, {@code anthropic}, {@code google}). */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a configuration value, case-insensitively; empty if it names no format. */
  public static Optional<Format> parse(String value) {
    for (Format f : values()) {
      if (f.configName().equalsIgnoreCase(value.trim())) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
