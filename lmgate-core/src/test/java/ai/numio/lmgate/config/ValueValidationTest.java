package ai.numio.lmgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Coercion and range rules of the scalar settings, each error naming key, value and origin. */
class ValueValidationTest {

  @TempDir Path tmp;
  ConfigFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ConfigFixture(tmp);
  }

  private List<String> problemsOfSetting(String section, String key, String value)
      throws Exception {
    return fx.problemsOf(section + ":\n  " + key + ": " + value + "\n");
  }

  @Test
  void aNonIntegerPortNamesKeyValueAndLine() throws Exception {
    assertThat(fx.problemsOf("server:\n  port: 80a\n"))
        .containsExactly(
            "server.port: expected an integer, got \"80a\" (config/lmgate.yaml line 2)");
  }

  @ParameterizedTest
  @CsvSource({"0", "-1", "65536", "70000", "99999999999"})
  void aPortOutsideOneTo65535IsAnError(String port) throws Exception {
    assertThat(problemsOfSetting("server", "port", port))
        .containsExactly(
            "server.port: must be between 1 and 65535, got "
                + port
                + " (config/lmgate.yaml line 2)");
  }

  @ParameterizedTest
  @CsvSource({"1, 1", "65535, 65535", "+443, 443", "'\"8081\"', 8081"})
  void portsInRangeAreAccepted(String text, int expected) throws Exception {
    fx.writeDefaultFile("server:\n  port: " + text + "\n");

    assertThat(fx.load().server().port()).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "auth, poll_interval_seconds",
    "stats, flush_interval_seconds",
    "stats, max_file_bytes",
    "stats, queue_capacity",
    "stats, max_event_bytes",
    "upstream, connect_timeout_seconds",
    "upstream, idle_timeout_seconds"
  })
  void zeroIntervalsAndSizesAreErrors(String section, String key) throws Exception {
    String max = key.equals("max_file_bytes") ? "9223372036854775807" : "2147483647";
    assertThat(problemsOfSetting(section, key, "0"))
        .containsExactly(
            section
                + "."
                + key
                + ": must be greater than 0 (at most "
                + max
                + "), got 0 (config/lmgate.yaml line 2)");
  }

  @Test
  void aNegativeShutdownGraceIsAnErrorButZeroIsFine() throws Exception {
    assertThat(problemsOfSetting("server", "shutdown_grace_seconds", "-5"))
        .containsExactly(
            "server.shutdown_grace_seconds: must be 0 or more (at most 2147483647), got -5"
                + " (config/lmgate.yaml line 2)");

    fx.writeDefaultFile("server:\n  shutdown_grace_seconds: 0\n");
    assertThat(fx.load().server().shutdownGraceSeconds()).isZero();
  }

  @Test
  void anIntSettingBeyondIntRangeIsAnError() throws Exception {
    assertThat(problemsOfSetting("stats", "queue_capacity", "3000000000"))
        .containsExactly(
            "stats.queue_capacity: must be greater than 0 (at most 2147483647), got 3000000000"
                + " (config/lmgate.yaml line 2)");
  }

  @Test
  void maxFileBytesIsALong() throws Exception {
    fx.writeDefaultFile("stats:\n  max_file_bytes: 10_737_418_240\n");

    assertThat(fx.load().stats().maxFileBytes()).isEqualTo(10_737_418_240L);
  }

  @ParameterizedTest
  @CsvSource({"1.5", "ten", "1e3", "0x10", "30s"})
  void nonIntegersAreErrors(String text) throws Exception {
    assertThat(problemsOfSetting("upstream", "idle_timeout_seconds", text))
        .containsExactly(
            "upstream.idle_timeout_seconds: expected an integer, got \""
                + text
                + "\" (config/lmgate.yaml line 2)");
  }

  @ParameterizedTest
  @CsvSource({"trace, TRACE", "Debug, DEBUG", "INFO, INFO", "warn, WARN", "error, ERROR"})
  void logLevelsAreCaseInsensitive(String text, LogLevel expected) throws Exception {
    fx.writeDefaultFile("logging:\n  level: " + text + "\n");

    assertThat(fx.load().logging().level()).isEqualTo(expected);
  }

  @Test
  void offIsALogLevelEvenThoughYamlWouldReadItAsABoolean() throws Exception {
    fx.writeDefaultFile("logging:\n  level: off\n");

    assertThat(fx.load().logging().level()).isEqualTo(LogLevel.OFF);
  }

  @Test
  void anUnknownLogLevelListsTheValidOnes() throws Exception {
    assertThat(problemsOfSetting("logging", "level", "verbose"))
        .containsExactly(
            "logging.level: unknown level \"verbose\"; valid levels: TRACE, DEBUG, INFO, WARN,"
                + " ERROR, OFF (config/lmgate.yaml line 2)");
  }

  @ParameterizedTest
  @CsvSource({"lmgate, LMGATE", "provider, PROVIDER", "Provider, PROVIDER"})
  void errorFormatsAreCaseInsensitive(String text, ErrorFormat expected) throws Exception {
    fx.writeDefaultFile("server:\n  error_format: " + text + "\n");

    assertThat(fx.load().server().errorFormat()).isEqualTo(expected);
  }

  @Test
  void anUnknownErrorFormatListsTheValidOnes() throws Exception {
    assertThat(problemsOfSetting("server", "error_format", "openai"))
        .containsExactly(
            "server.error_format: unknown error format \"openai\"; valid error formats: lmgate,"
                + " provider (config/lmgate.yaml line 2)");
  }

  @Test
  void anEmptyHostIsAnError() throws Exception {
    assertThat(problemsOfSetting("server", "host", "' '"))
        .containsExactly(
            "server.host: expected a host name or address such as 0.0.0.0 or 127.0.0.1, got"
                + " \" \" (config/lmgate.yaml line 2)");
  }

  @Test
  void anEmptyPathIsAnError() throws Exception {
    assertThat(problemsOfSetting("stats", "output_path", "''"))
        .containsExactly(
            "stats.output_path: expected a file path, got \"\" (config/lmgate.yaml line 2)");
  }

  @Test
  void aPathWithANulCharacterIsAnError() throws Exception {
    assertThat(problemsOfSetting("auth", "allowlist_path", "\"keys\\0.csv\""))
        .containsExactly(
            "auth.allowlist_path: is not a valid file path (Nul character not allowed):"
                + " \"keys\\u0000.csv\" (config/lmgate.yaml line 2)");
  }

  @Test
  void everyMistakeIsReportedAtOnce() throws Exception {
    assertThat(
            fx.problemsOf(
                """
                server:
                  port: 0
                auth:
                  poll_interval_seconds: soon
                logging:
                  levle: DEBUG
                """))
        .containsExactlyInAnyOrder(
            "server.port: must be between 1 and 65535, got 0 (config/lmgate.yaml line 2)",
            "auth.poll_interval_seconds: expected an integer, got \"soon\""
                + " (config/lmgate.yaml line 4)",
            "logging.levle: unknown key; valid keys in logging: level"
                + " (config/lmgate.yaml line 6)");
  }
}
