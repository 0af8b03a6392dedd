package ai.numio.lmgate.config;

import static ai.numio.lmgate.config.ConfigFixture.ANTHROPIC;
import static ai.numio.lmgate.config.ConfigFixture.GEMINI;
import static ai.numio.lmgate.config.ConfigFixture.GOOGLE;
import static ai.numio.lmgate.config.ConfigFixture.OPENAI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import ai.numio.lmgate.route.Format;
import ai.numio.lmgate.route.Route;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir Path tmp;
  ConfigFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ConfigFixture(tmp);
  }

  private LMGateConfig expectedDefaults() {
    return new LMGateConfig(
        new LMGateConfig.Server("0.0.0.0", 8080, 30, ErrorFormat.LMGATE),
        new LMGateConfig.Auth(fx.dir.resolve("data/allowlist.csv"), 30),
        new LMGateConfig.Stats(
            fx.dir.resolve("data/stats.jsonl"), 10, 104_857_600L, 100_000, 67_108_864),
        new LMGateConfig.Upstream(10, 300, false),
        new LMGateConfig.Logging(LogLevel.INFO),
        List.of(OPENAI, ANTHROPIC, GOOGLE, GEMINI));
  }

  @Test
  void withoutFileOrEnvironmentTheBuiltInDefaultsApply() throws Exception {
    LoadedConfig loaded = ConfigLoader.loadWithSource(Optional.empty(), Map.of(), tmp);

    assertThat(loaded.config()).isEqualTo(expectedDefaults());
    assertThat(loaded.source()).isEmpty();
  }

  @Test
  void defaultsHelperEqualsLoadingNothing() {
    assertThat(LMGateConfig.defaults(tmp)).isEqualTo(expectedDefaults());
  }

  @Test
  void theSpecExampleLoadsToExactlyTheDefaults() throws Exception {
    try (InputStream in = getClass().getResourceAsStream("/config/spec-example.yaml")) {
      fx.writeBytes("config/lmgate.yaml", in.readAllBytes());
    }

    LoadedConfig loaded = ConfigLoader.loadWithSource(Optional.empty(), Map.of(), tmp);

    assertThat(loaded.config()).isEqualTo(expectedDefaults());
    assertThat(loaded.source()).contains(fx.dir.resolve("config/lmgate.yaml"));
  }

  @Test
  void aFileSettingOnlyThePortKeepsEveryOtherDefault() throws Exception {
    fx.writeDefaultFile("server:\n  port: 9090\n");

    LMGateConfig config = fx.load();

    LMGateConfig defaults = expectedDefaults();
    assertThat(config.server())
        .isEqualTo(new LMGateConfig.Server("0.0.0.0", 9090, 30, ErrorFormat.LMGATE));
    assertThat(config.auth()).isEqualTo(defaults.auth());
    assertThat(config.stats()).isEqualTo(defaults.stats());
    assertThat(config.upstream()).isEqualTo(defaults.upstream());
    assertThat(config.logging()).isEqualTo(defaults.logging());
    assertThat(config.routes()).containsExactly(OPENAI, ANTHROPIC, GOOGLE, GEMINI);
  }

  @Test
  void yamlValuesOverrideDefaultsKeyByKey() throws Exception {
    fx.writeDefaultFile(
        """
        server:
          host: 127.0.0.1
          shutdown_grace_seconds: 0
        auth:
          allowlist_path: /etc/lmgate/keys.csv
          poll_interval_seconds: 5
        stats:
          output_path: out/usage.jsonl
          flush_interval_seconds: 2
          max_file_bytes: 10737418240
          queue_capacity: 500
          max_event_bytes: 65536
        upstream:
          connect_timeout_seconds: 3
          idle_timeout_seconds: 3600
        logging:
          level: debug
        providers:
          openai:
            upstream: http://127.0.0.1:9999/base/
          groq:
            upstream: https://api.groq.com/openai
            format: openai
        """);

    LMGateConfig config = fx.load();

    assertThat(config.server())
        .isEqualTo(new LMGateConfig.Server("127.0.0.1", 8080, 0, ErrorFormat.LMGATE));
    assertThat(config.auth()).isEqualTo(new LMGateConfig.Auth(Path.of("/etc/lmgate/keys.csv"), 5));
    assertThat(config.stats())
        .isEqualTo(
            new LMGateConfig.Stats(
                fx.dir.resolve("out/usage.jsonl"), 2, 10_737_418_240L, 500, 65_536));
    assertThat(config.upstream()).isEqualTo(new LMGateConfig.Upstream(3, 3600, false));
    assertThat(config.logging()).isEqualTo(new LMGateConfig.Logging(LogLevel.DEBUG));
    assertThat(config.routes())
        .containsExactly(
            new Route(
                "openai", "/openai/", URI.create("http://127.0.0.1:9999/base"), Format.OPENAI),
            ANTHROPIC,
            GOOGLE,
            GEMINI,
            new Route("groq", "/groq/", URI.create("https://api.groq.com/openai"), Format.OPENAI));
  }

  @Test
  void anEmptyFileOrEmptySectionsMeanDefaults() throws Exception {
    fx.writeDefaultFile("");
    assertThat(fx.load()).isEqualTo(expectedDefaults());

    fx.writeDefaultFile("# only a comment\n");
    assertThat(fx.load()).isEqualTo(expectedDefaults());

    fx.writeDefaultFile("server:\nlogging:\nproviders:\n  openai:\n");
    assertThat(fx.load()).isEqualTo(expectedDefaults());
  }

  @Test
  void relativePathsResolveAgainstTheWorkingDirectoryAndAreNormalized() throws Exception {
    fx.writeDefaultFile(
        """
        auth: { allowlist_path: ./keys/../keys/allow.csv }
        stats: { output_path: ../shared/stats.jsonl }
        """);

    LMGateConfig config = fx.load();

    assertThat(config.auth().allowlistPath()).isEqualTo(fx.dir.resolve("keys/allow.csv"));
    assertThat(config.stats().outputPath())
        .isEqualTo(fx.dir.getParent().resolve("shared/stats.jsonl"));
    assertThat(config.auth().allowlistPath().isAbsolute()).isTrue();
  }

  @Test
  void aRelativeWorkingDirectoryIsMadeAbsolute() throws Exception {
    LMGateConfig config = ConfigLoader.load(Optional.empty(), Map.of(), Path.of("."));

    Path cwd = Path.of("").toAbsolutePath().normalize();
    assertThat(config.auth().allowlistPath()).isEqualTo(cwd.resolve("data/allowlist.csv"));
  }

  // --- which file ---

  @Test
  void anExplicitFileWinsOverLmgateConfigAndTheConventionalFile() throws Exception {
    fx.writeDefaultFile("server: { port: 1001 }\n");
    fx.write("env.yaml", "server: { port: 1002 }\n");
    Path explicit = fx.write("explicit.yaml", "server: { port: 1003 }\n");

    LoadedConfig loaded =
        ConfigLoader.loadWithSource(
            Optional.of(explicit), Map.of("LMGATE_CONFIG", "env.yaml"), tmp);

    assertThat(loaded.config().server().port()).isEqualTo(1003);
    assertThat(loaded.source()).contains(explicit);
  }

  @Test
  void lmgateConfigWinsOverTheConventionalFile() throws Exception {
    fx.writeDefaultFile("server: { port: 1001 }\n");
    fx.write("env.yaml", "server: { port: 1002 }\n");

    LoadedConfig loaded =
        ConfigLoader.loadWithSource(Optional.empty(), Map.of("LMGATE_CONFIG", "env.yaml"), tmp);

    assertThat(loaded.config().server().port()).isEqualTo(1002);
    assertThat(loaded.source()).contains(fx.dir.resolve("env.yaml"));
  }

  @Test
  void theConventionalFileIsUsedWhenNothingElseIsNamed() throws Exception {
    fx.writeDefaultFile("server: { port: 1001 }\n");

    LoadedConfig loaded = ConfigLoader.loadWithSource(Optional.empty(), Map.of(), tmp);

    assertThat(loaded.config().server().port()).isEqualTo(1001);
    assertThat(loaded.source()).contains(fx.dir.resolve("config/lmgate.yaml"));
  }

  @Test
  void aBlankLmgateConfigCountsAsUnset() throws Exception {
    fx.writeDefaultFile("server: { port: 1001 }\n");

    LMGateConfig config = fx.load(Map.of("LMGATE_CONFIG", " "));

    assertThat(config.server().port()).isEqualTo(1001);
  }

  @Test
  void aRelativeExplicitFileResolvesAgainstTheWorkingDirectory() throws Exception {
    fx.write("conf/gw.yaml", "server: { port: 7070 }\n");

    LoadedConfig loaded =
        ConfigLoader.loadWithSource(Optional.of(Path.of("conf/gw.yaml")), Map.of(), tmp);

    assertThat(loaded.config().server().port()).isEqualTo(7070);
    assertThat(loaded.source()).contains(fx.dir.resolve("conf/gw.yaml"));
  }

  @Test
  void aMissingExplicitFileIsAnErrorEvenWhenTheConventionalFileExists() throws Exception {
    fx.writeDefaultFile("server: { port: 1001 }\n");

    ConfigException e =
        assertThatExceptionOfType(ConfigException.class)
            .isThrownBy(
                () -> ConfigLoader.load(Optional.of(Path.of("missing.yaml")), Map.of(), tmp))
            .actual();

    assertThat(e.problems())
        .containsExactly(
            "configuration file missing.yaml not found (looked for "
                + fx.dir.resolve("missing.yaml")
                + ")");
  }

  @Test
  void aMissingLmgateConfigFileIsAnError() throws Exception {
    fx.writeDefaultFile("server: { port: 1001 }\n");

    List<String> problems = fx.problems(Map.of("LMGATE_CONFIG", "/nowhere/gw.yaml"));

    assertThat(problems)
        .containsExactly(
            "configuration file /nowhere/gw.yaml (named by environment variable LMGATE_CONFIG)"
                + " not found");
  }

  @Test
  void aDirectoryIsNotAConfigurationFile() throws Exception {
    fx.write("conf/placeholder", "");

    ConfigException e =
        assertThatExceptionOfType(ConfigException.class)
            .isThrownBy(() -> ConfigLoader.load(Optional.of(Path.of("conf")), Map.of(), tmp))
            .actual();

    assertThat(e.problems()).containsExactly("configuration file conf is not a regular file");
  }

  @Test
  void originsNameTheFileAsTheOperatorGaveIt() throws Exception {
    fx.write("conf/gw.yaml", "server:\n  port: x\n");
    Path absolute = fx.dir.resolve("conf/gw.yaml");

    ConfigException relative =
        assertThatExceptionOfType(ConfigException.class)
            .isThrownBy(
                () -> ConfigLoader.load(Optional.of(Path.of("conf/gw.yaml")), Map.of(), tmp))
            .actual();
    ConfigException viaEnv =
        assertThatExceptionOfType(ConfigException.class)
            .isThrownBy(
                () ->
                    ConfigLoader.load(
                        Optional.empty(), Map.of("LMGATE_CONFIG", absolute.toString()), tmp))
            .actual();

    assertThat(relative.problems())
        .containsExactly("server.port: expected an integer, got \"x\" (conf/gw.yaml line 2)");
    assertThat(viaEnv.problems())
        .containsExactly("server.port: expected an integer, got \"x\" (" + absolute + " line 2)");
  }

  @Test
  void theExceptionMessageListsOneProblemPerLine() throws Exception {
    fx.writeDefaultFile("server:\n  port: x\n  host: ''\n");

    ConfigException e =
        assertThatExceptionOfType(ConfigException.class).isThrownBy(fx::load).actual();

    assertThat(e.getMessage())
        .isEqualTo(
            "server.host: expected a host name or address such as 0.0.0.0 or 127.0.0.1, got \"\""
                + " (config/lmgate.yaml line 3)\n"
                + "server.port: expected an integer, got \"x\" (config/lmgate.yaml line 2)");
    assertThat(e.problems()).hasSize(2);
  }
}
