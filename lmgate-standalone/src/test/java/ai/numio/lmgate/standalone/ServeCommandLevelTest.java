package ai.numio.lmgate.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.config.LogLevel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code logging.level} becomes logback's level of the same name. */
class ServeCommandLevelTest {

  @ParameterizedTest
  @EnumSource(LogLevel.class)
  void everyLevelMapsToLogbacksLevelOfTheSameName(LogLevel level) {
    assertThat(ServeCommand.logbackLevel(level).toString()).isEqualTo(level.name());
  }
}
