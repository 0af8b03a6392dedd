package ai.numio.lmgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;

/**
 * The records check their values in their constructors, with the loader's rules and wording, so a
 * configuration built in code cannot skip the checks.
 */
class RecordValidationTest {

  private static final Path DIR = Path.of("/srv/lmgate");
  private static final LMGateConfig DEFAULTS = LMGateConfig.defaults(DIR);

  private static void assertRefused(ThrowingSupplier<?> construction, String message) {
    assertThatThrownBy(construction::get)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void serverValuesAreChecked() {
    assertRefused(
        () -> new LMGateConfig.Server("0.0.0.0", 0, 30, ErrorFormat.LMGATE),
        "server.port: must be between 1 and 65535, got 0");
    assertRefused(
        () -> new LMGateConfig.Server("0.0.0.0", 65536, 30, ErrorFormat.LMGATE),
        "server.port: must be between 1 and 65535, got 65536");
    assertRefused(
        () -> new LMGateConfig.Server("0.0.0.0", 8080, -1, ErrorFormat.LMGATE),
        "server.shutdown_grace_seconds: must be 0 or more (at most 2147483647), got -1");
    assertRefused(
        () -> new LMGateConfig.Server("", 8080, 30, ErrorFormat.LMGATE),
        "server.host: expected a host name or address such as 0.0.0.0 or 127.0.0.1, got \"\"");
    assertRefused(
        () -> new LMGateConfig.Server("0.0.0.0", 8080, 30, null),
        "server.error_format: must be given, got null");
  }

  @Test
  void authStatsAndUpstreamValuesAreChecked() {
    assertRefused(
        () -> new LMGateConfig.Auth(null, 30), "auth.allowlist_path: must be given, got null");
    assertRefused(
        () -> new LMGateConfig.Auth(DIR, 0),
        "auth.poll_interval_seconds: must be greater than 0 (at most 2147483647), got 0");
    assertRefused(
        () -> new LMGateConfig.Stats(DIR, 10, 0, 100, 100),
        "stats.max_file_bytes: must be greater than 0 (at most 9223372036854775807), got 0");
    assertRefused(
        () -> new LMGateConfig.Stats(DIR, 10, 100, 100, -5),
        "stats.max_event_bytes: must be greater than 0 (at most 2147483647), got -5");
    assertRefused(
        () -> new LMGateConfig.Upstream(10, 0, false),
        "upstream.idle_timeout_seconds: must be greater than 0 (at most 2147483647), got 0");
    assertRefused(() -> new LMGateConfig.Logging(null), "logging.level: must be given, got null");
  }

  @Test
  void sectionsMustBeGivenAndPrefixesUnique() {
    assertRefused(
        () ->
            new LMGateConfig(
                null,
                DEFAULTS.auth(),
                DEFAULTS.stats(),
                DEFAULTS.upstream(),
                DEFAULTS.logging(),
                DEFAULTS.routes()),
        "server: must be given, got null");
    assertRefused(
        () ->
            new LMGateConfig(
                DEFAULTS.server(),
                DEFAULTS.auth(),
                DEFAULTS.stats(),
                DEFAULTS.upstream(),
                DEFAULTS.logging(),
                List.of(ConfigFixture.OPENAI, ConfigFixture.OPENAI)),
        "providers: routes 'openai' and 'openai' have the same prefix '/openai/'");
  }

  @Test
  void validValuesMakeTheSameRecordsAsTheLoader() {
    LMGateConfig copy =
        new LMGateConfig(
            new LMGateConfig.Server("0.0.0.0", 8080, 30, ErrorFormat.LMGATE),
            new LMGateConfig.Auth(DIR.resolve("data/allowlist.csv"), 30),
            new LMGateConfig.Stats(
                DIR.resolve("data/stats.jsonl"), 10, 104_857_600L, 100_000, 67_108_864),
            new LMGateConfig.Upstream(10, 300, false),
            new LMGateConfig.Logging(LogLevel.INFO),
            DEFAULTS.routes());

    assertThat(copy).isEqualTo(DEFAULTS);
  }
}
