package ai.numio.lmgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.providerkey.KeyReference;
import ai.numio.lmgate.route.Route;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code providers.<name>.upstream_key} (SPEC-2 §15): a reference, never a key. */
class UpstreamKeyConfigTest {

  private static final String LITERAL = "sk-proj-a-real-looking-key-0123456789abcdefXYZ";

  @TempDir Path tmp;
  private ConfigFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ConfigFixture(tmp);
  }

  @Test
  void noRouteHoldsAKeyByDefault() throws Exception {
    assertThat(fx.load().routes()).extracting(Route::upstreamKey).containsOnlyNulls();
  }

  @Test
  void envAndFileReferencesAreRead() throws Exception {
    fx.writeDefaultFile(
        "providers:\n"
            + "  openai: { upstream_key: env:OPENAI_API_KEY }\n"
            + "  anthropic: { upstream_key: 'file:/run/secrets/anthropic' }\n");
    LMGateConfig config = fx.load();
    assertThat(route(config, "openai").upstreamKey())
        .isEqualTo(new KeyReference(KeyReference.Kind.ENV, "OPENAI_API_KEY"));
    assertThat(route(config, "anthropic").upstreamKey().path())
        .isEqualTo(Path.of("/run/secrets/anthropic"));
    assertThat(route(config, "google").upstreamKey()).isNull();
  }

  @Test
  void anEnvironmentVariableSetsARoutesKey() throws Exception {
    LMGateConfig config =
        fx.load(Map.of("LMGATE_PROVIDERS__GEMINI__UPSTREAM_KEY", "file:/secrets/gemini"));
    assertThat(route(config, "gemini").upstreamKey()).hasToString("file:/secrets/gemini");
  }

  /** A literal key is refused, naming the key and the line, and never shown. */
  @Test
  void aLiteralKeyIsAConfigurationErrorThatNeverShowsIt() throws Exception {
    assertThat(fx.problemsOf("providers:\n  openai:\n    upstream_key: " + LITERAL + "\n"))
        .singleElement()
        .asString()
        .startsWith("providers.openai.upstream_key: is not a key reference")
        .contains("env:NAME")
        .contains("file:/path")
        .contains("config/lmgate.yaml line 3")
        .doesNotContain(LITERAL)
        .doesNotContain("XYZ");
  }

  @Test
  void aLiteralKeyFromTheEnvironmentIsRefusedToo() throws Exception {
    assertThat(fx.problems(Map.of("LMGATE_PROVIDERS__OPENAI__UPSTREAM_KEY", LITERAL)))
        .singleElement()
        .asString()
        .startsWith("providers.openai.upstream_key: is not a key reference")
        .contains("environment variable LMGATE_PROVIDERS__OPENAI__UPSTREAM_KEY")
        .doesNotContain(LITERAL);
  }

  @Test
  void aRelativeFileOrABadVariableNameIsRefused() throws Exception {
    assertThat(fx.problemsOf("providers:\n  openai: { upstream_key: 'file:secrets/openai' }\n"))
        .singleElement()
        .asString()
        .startsWith("providers.openai.upstream_key: file: needs an absolute path");
    assertThat(fx.problemsOf("providers:\n  openai: { upstream_key: 'env:1-BAD' }\n"))
        .singleElement()
        .asString()
        .startsWith("providers.openai.upstream_key: env: needs an environment variable name");
  }

  @Test
  void anEmptyValueMeansNone() throws Exception {
    fx.writeDefaultFile("providers:\n  openai: { upstream_key: '' }\n");
    assertThat(route(fx.load(), "openai").upstreamKey()).isNull();
  }

  private static Route route(LMGateConfig config, String name) {
    return config.routes().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }
}
