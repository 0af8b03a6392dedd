package ai.numio.lmgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code otel.*} (SPEC-2 §16): off unless an endpoint is given; header values never shown. */
class OtelConfigTest {

  @TempDir Path tmp;
  private ConfigFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ConfigFixture(tmp);
  }

  @Test
  void byDefaultNothingIsExported() throws Exception {
    LMGateConfig.Otel otel = fx.load().otel();

    assertThat(otel).isEqualTo(LMGateConfig.Otel.OFF);
    assertThat(otel.enabled()).isFalse();
    assertThat(otel.endpoint()).isNull();
    assertThat(otel.serviceName()).isEqualTo("lmgate");
    assertThat(otel.headers()).isEmpty();
    assertThat(otel.exportIntervalSeconds()).isEqualTo(10);
    assertThat(otel.queueCapacity()).isEqualTo(8192);
  }

  @Test
  void everyKeyCanBeSetInTheFile() throws Exception {
    fx.writeDefaultFile(
        "otel:\n"
            + "  endpoint: http://otel-collector:4318/\n"
            + "  service_name: lmgate-eu\n"
            + "  headers: Authorization=Bearer%20s3cret, X-Scope-OrgID=team-a\n"
            + "  export_interval_seconds: 2\n"
            + "  queue_capacity: 100\n");

    LMGateConfig.Otel otel = fx.load().otel();

    assertThat(otel.enabled()).isTrue();
    assertThat(otel.endpoint()).isEqualTo(URI.create("http://otel-collector:4318"));
    assertThat(otel.serviceName()).isEqualTo("lmgate-eu");
    assertThat(otel.headers())
        .containsExactly(
            Map.entry("Authorization", "Bearer s3cret"), Map.entry("X-Scope-OrgID", "team-a"));
    assertThat(otel.exportIntervalSeconds()).isEqualTo(2);
    assertThat(otel.queueCapacity()).isEqualTo(100);
    assertThat(otel.toString())
        .contains("http://otel-collector:4318", "Authorization", "X-Scope-OrgID")
        .doesNotContain("s3cret", "team-a");
  }

  @Test
  void theEnvironmentOverridesLikeEveryOtherKey() throws Exception {
    LMGateConfig.Otel otel =
        fx.load(
                Map.of(
                    "LMGATE_OTEL__ENDPOINT", "https://collector.example.com/otlp",
                    "LMGATE_OTEL__HEADERS", "api-key=k1",
                    "LMGATE_OTEL__EXPORT_INTERVAL_SECONDS", "1"))
            .otel();

    assertThat(otel.endpoint()).isEqualTo(URI.create("https://collector.example.com/otlp"));
    assertThat(otel.headers()).containsExactly(Map.entry("api-key", "k1"));
    assertThat(otel.exportIntervalSeconds()).isEqualTo(1);
    assertThat(fx.load(Map.of("LMGATE_OTEL__ENDPOINT", "")).otel().enabled()).isFalse();
  }

  @Test
  void aBadEndpointIsNamedWithTheFix() {
    assertThat(fx.problems(Map.of("LMGATE_OTEL__ENDPOINT", "otel-collector:4318")))
        .singleElement()
        .asString()
        .startsWith("otel.endpoint: is the collector's OTLP/HTTP address")
        .contains("\"otel-collector:4318\"")
        .endsWith("(environment variable LMGATE_OTEL__ENDPOINT)");
    assertThat(fx.problems(Map.of("LMGATE_OTEL__ENDPOINT", "https://u:hunter2@collector")))
        .singleElement()
        .asString()
        .doesNotContain("hunter2")
        .contains("give credentials in otel.headers");
  }

  @Test
  void badHeadersAreReportedWithoutTheirValues() {
    assertThat(fx.problems(Map.of("LMGATE_OTEL__HEADERS", "Authorization: Bearer hunter2")))
        .singleElement()
        .asString()
        .startsWith("otel.headers: expected name=value pairs separated by commas")
        .contains("entry 1 of 1 has no '='")
        .doesNotContain("hunter2");
    assertThat(fx.problems(Map.of("LMGATE_OTEL__HEADERS", "a=1,b=%zzhunter2")))
        .singleElement()
        .asString()
        .contains("the value of header b")
        .doesNotContain("hunter2");
    assertThat(fx.problems(Map.of("LMGATE_OTEL__HEADERS", "a=1,a=hunter2")))
        .singleElement()
        .asString()
        .contains("header a is given twice")
        .doesNotContain("hunter2");
    assertThat(fx.problems(Map.of("LMGATE_OTEL__SERVICE_NAME", " ")))
        .singleElement()
        .asString()
        .startsWith("otel.service_name: must not be blank");
    assertThat(fx.problems(Map.of("LMGATE_OTEL__EXPORT_INTERVAL_SECONDS", "0")))
        .singleElement()
        .asString()
        .startsWith("otel.export_interval_seconds: must be between 1 and 3600");
  }

  @Test
  void theRecordChecksItsValues() {
    assertThatThrownBy(
            () ->
                new LMGateConfig.Otel(
                    null, "lmgate", Map.of(), 0, LMGateConfig.Otel.OFF.queueCapacity()))
        .hasMessage("otel.export_interval_seconds: must be between 1 and 3600, got 0");
    assertThatThrownBy(() -> new LMGateConfig.Otel(null, " ", Map.of(), 10, 10))
        .hasMessage("otel.service_name: must not be blank");
    LMGateConfig.Otel otel = LMGateConfig.Otel.to(URI.create("http://127.0.0.1:4318"));
    assertThat(otel.enabled()).isTrue();
    assertThat(otel.withExportIntervalSeconds(1).exportIntervalSeconds()).isEqualTo(1);
    assertThat(LMGateConfig.defaults(tmp).withOtel(otel).otel()).isEqualTo(otel);
  }
}
