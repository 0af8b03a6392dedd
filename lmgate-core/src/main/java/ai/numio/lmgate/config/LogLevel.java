package ai.numio.lmgate.config;

import java.util.Optional;

/** {@code logging.level}: how much LMGate itself logs, from most ({@code TRACE}) to nothing. */
public enum LogLevel {
  TRACE,
  DEBUG,
  INFO,
  WARN,
  ERROR,
  OFF;

  /** The name used in configuration: the constant's name, upper case. */
  public String configName() {
    return name();
  }

  /** Parses a configuration value, case-insensitively; empty if it names no level. */
  public static Optional<LogLevel> parse(String value) {
    for (LogLevel level : values()) {
      if (level.configName().equalsIgnoreCase(value.trim())) {
        return Optional.of(level);
      }
    }
    return Optional.empty();
  }
}
