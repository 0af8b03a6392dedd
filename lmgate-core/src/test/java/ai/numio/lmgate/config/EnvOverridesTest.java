package ai.numio.lmgate.config;

import static ai.numio.lmgate.config.ConfigFixture.ANTHROPIC;
import static ai.numio.lmgate.config.ConfigFixture.GEMINI;
import static ai.numio.lmgate.config.ConfigFixture.GOOGLE;
import static ai.numio.lmgate.config.ConfigFixture.OPENAI;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.route.Format;
import ai.numio.lmgate.route.Route;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code LMGATE_*} environment overrides: mapping, coercion, precedence, typos. */
class EnvOverridesTest {

  @TempDir Path tmp;
  ConfigFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ConfigFixture(tmp);
  }

  @Test
  void everySettingCanBeSetAndIsCoercedToItsType() throws Exception {
    LMGateConfig config =
        fx.load(
            Map.ofEntries(
                Map.entry("LMGATE_SERVER__HOST", "127.0.0.1"),
                Map.entry("LMGATE_SERVER__PORT", "9090"),
                Map.entry("LMGATE_SERVER__SHUTDOWN_GRACE_SECONDS", "5"),
                Map.entry("LMGATE_AUTH__ALLOWLIST_PATH", "secrets/keys.csv"),
                Map.entry("LMGATE_AUTH__POLL_INTERVAL_SECONDS", "5"),
                Map.entry("LMGATE_STATS__OUTPUT_PATH", "/var/lib/lmgate/stats.jsonl"),
                Map.entry("LMGATE_STATS__FLUSH_INTERVAL_SECONDS", "1"),
                Map.entry("LMGATE_STATS__MAX_FILE_BYTES", "5368709120"),
                Map.entry("LMGATE_STATS__QUEUE_CAPACITY", "1000"),
                Map.entry("LMGATE_STATS__MAX_EVENT_BYTES", "4096"),
                Map.entry("LMGATE_UPSTREAM__CONNECT_TIMEOUT_SECONDS", "2"),
                Map.entry("LMGATE_UPSTREAM__IDLE_TIMEOUT_SECONDS", "60"),
                Map.entry("LMGATE_UPSTREAM__FORWARDED_HEADERS", "TRUE"),
                Map.entry("LMGATE_LOGGING__LEVEL", "warn"),
                Map.entry("LMGATE_PROVIDERS__OPENAI__UPSTREAM", "http://127.0.0.1:9999"),
                Map.entry("LMGATE_PROVIDERS__ANTHROPIC__PREFIX", "/claude/"),
                Map.entry("LMGATE_PROVIDERS__GOOGLE__FORMAT", "ANTHROPIC"),
                Map.entry("LMGATE_PROVIDERS__GEMINI__ENABLED", "false")));

    assertThat(config)
        .isEqualTo(
            new LMGateConfig(
                new LMGateConfig.Server("127.0.0.1", 9090, 5, ErrorFormat.LMGATE),
                new LMGateConfig.Auth(fx.dir.resolve("secrets/keys.csv"), 5),
                new LMGateConfig.Stats(
                    Path.of("/var/lib/lmgate/stats.jsonl"), 1, 5_368_709_120L, 1000, 4096),
                new LMGateConfig.Upstream(2, 60, true),
                new LMGateConfig.Logging(LogLevel.WARN),
                List.of(
                    new Route(
                        "openai", "/openai/", URI.create("http://127.0.0.1:9999"), Format.OPENAI),
                    new Route(
                        "anthropic",
                        "/claude/",
                        URI.create("https://api.anthropic.com"),
                        Format.ANTHROPIC),
                    new Route(
                        "google",
                        "/google/",
                        URI.create("https://aiplatform.googleapis.com"),
                        Format.ANTHROPIC))));
  }

  @Test
  void environmentWinsOverTheFileKeyByKey() throws Exception {
    fx.writeDefaultFile(
        """
        server: { host: 10.0.0.1, port: 8000 }
        providers:
          openai: { upstream: http://file.example }
        """);

    LMGateConfig config =
        fx.load(
            Map.of(
                "LMGATE_SERVER__PORT", "9090",
                "LMGATE_PROVIDERS__OPENAI__PREFIX", "/oai/"));

    assertThat(config.server())
        .isEqualTo(new LMGateConfig.Server("10.0.0.1", 9090, 30, ErrorFormat.LMGATE));
    assertThat(config.routes().get(0))
        .isEqualTo(new Route("openai", "/oai/", URI.create("http://file.example"), Format.OPENAI));
  }

  @Test
  void aNewRouteCanComeFromTheEnvironmentAlone() throws Exception {
    LMGateConfig config =
        fx.load(
            Map.of(
                "LMGATE_PROVIDERS__GROQ__PREFIX", "/groq/",
                "LMGATE_PROVIDERS__GROQ__UPSTREAM", "https://api.groq.com/openai/",
                "LMGATE_PROVIDERS__GROQ__FORMAT", "openai"));

    assertThat(config.routes())
        .containsExactly(
            OPENAI,
            ANTHROPIC,
            GOOGLE,
            GEMINI,
            new Route("groq", "/groq/", URI.create("https://api.groq.com/openai"), Format.OPENAI));
  }

  @Test
  void envOnlyRoutesComeAfterFileRoutesSortedByName() throws Exception {
    fx.writeDefaultFile("providers:\n  zeta: { upstream: http://z.example, format: openai }\n");

    LMGateConfig config =
        fx.load(
            Map.of(
                "LMGATE_PROVIDERS__A__UPSTREAM", "http://a.example",
                "LMGATE_PROVIDERS__A__FORMAT", "google",
                "LMGATE_PROVIDERS__A_B__UPSTREAM", "http://ab.example",
                "LMGATE_PROVIDERS__A_B__FORMAT", "google",
                "LMGATE_PROVIDERS__ZETA__PREFIX", "/z/",
                "LMGATE_PROVIDERS__MISTRAL__UPSTREAM", "https://api.mistral.ai",
                "LMGATE_PROVIDERS__MISTRAL__FORMAT", "openai"));

    assertThat(config.routes().stream().map(r -> r.name() + " " + r.prefix()))
        .containsExactly(
            "openai /openai/",
            "anthropic /anthropic/",
            "google /google/",
            "gemini /gemini/",
            "zeta /z/",
            "a /a/",
            "a_b /a_b/",
            "mistral /mistral/");
  }

  @Test
  void aPrefixAloneDoesNotMakeARoute() throws Exception {
    assertThat(fx.problems(Map.of("LMGATE_PROVIDERS__GROQ__PREFIX", "/groq/")))
        .containsExactly(
            "providers.groq.upstream is missing; a route that is not built in needs upstream"
                + " and format (route groq declared at environment variable"
                + " LMGATE_PROVIDERS__GROQ__PREFIX)",
            "providers.groq.format is missing; a route that is not built in needs upstream and"
                + " format (route groq declared at environment variable"
                + " LMGATE_PROVIDERS__GROQ__PREFIX)");
  }

  @Test
  void badValuesNameTheVariable() throws Exception {
    assertThat(
            fx.problems(
                Map.of(
                    "LMGATE_SERVER__PORT", "80a",
                    "LMGATE_PROVIDERS__OPENAI__ENABLED", "no",
                    "LMGATE_SERVER__HOST", "")))
        .containsExactly(
            "server.host: expected a host name or address such as 0.0.0.0 or 127.0.0.1, got \"\""
                + " (environment variable LMGATE_SERVER__HOST)",
            "server.port: expected an integer, got \"80a\""
                + " (environment variable LMGATE_SERVER__PORT)",
            "providers.openai.enabled: expected true or false, got \"no\""
                + " (environment variable LMGATE_PROVIDERS__OPENAI__ENABLED)");
  }

  @Test
  void pricingPathIsUnsetByDefaultAndResolvedWhenGiven() throws Exception {
    assertThat(fx.load(Map.of()).pricing().path()).isNull();
    java.nio.file.Path path =
        fx.load(Map.of("LMGATE_PRICING__PATH", "config/my-prices.yaml")).pricing().path();
    assertThat(path.isAbsolute()).isTrue();
    assertThat(path.endsWith(java.nio.file.Path.of("config", "my-prices.yaml"))).isTrue();
    assertThat(fx.problems(Map.of("LMGATE_PRICING__PATH", " ")))
        .singleElement()
        .asString()
        .startsWith("pricing.path: expected a file path");
  }

  @Test
  void numbersMayCarrySurroundingSpaces() throws Exception {
    assertThat(fx.load(Map.of("LMGATE_SERVER__PORT", " 9090 ")).server().port()).isEqualTo(9090);
  }

  @Test
  void anUnknownKeyInAKnownSectionListsThatSectionsVariables() throws Exception {
    assertThat(fx.problems(Map.of("LMGATE_SERVER__PROT", "9090")))
        .containsExactly(
            "environment variable LMGATE_SERVER__PROT names no configuration key (server.prot);"
                + " valid variables for server: LMGATE_SERVER__HOST, LMGATE_SERVER__PORT,"
                + " LMGATE_SERVER__SHUTDOWN_GRACE_SECONDS, LMGATE_SERVER__ERROR_FORMAT,"
                + " LMGATE_SERVER__OVERHEAD_HEADER, LMGATE_SERVER__IDLE_TIMEOUT_SECONDS, LMGATE_SERVER__ENGINE,"
                + " LMGATE_SERVER__TLS__CERT_PATH, LMGATE_SERVER__TLS__KEY_PATH,"
                + " LMGATE_SERVER__TLS__PORT, LMGATE_SERVER__TLS__POLL_INTERVAL_SECONDS");
  }

  @Test
  void anUnknownSectionListsEveryVariable() throws Exception {
    assertThat(fx.problems(Map.of("LMGATE_SERVR__PORT", "9090")))
        .containsExactly(
            "environment variable LMGATE_SERVR__PORT names no configuration key (servr.port);"
                + " valid variables: LMGATE_SERVER__HOST, LMGATE_SERVER__PORT,"
                + " LMGATE_SERVER__SHUTDOWN_GRACE_SECONDS, LMGATE_SERVER__ERROR_FORMAT,"
                + " LMGATE_SERVER__OVERHEAD_HEADER, LMGATE_SERVER__IDLE_TIMEOUT_SECONDS, LMGATE_SERVER__ENGINE,"
                + " LMGATE_SERVER__TLS__CERT_PATH, LMGATE_SERVER__TLS__KEY_PATH,"
                + " LMGATE_SERVER__TLS__PORT, LMGATE_SERVER__TLS__POLL_INTERVAL_SECONDS,"
                + " LMGATE_AUTH__ALLOWLIST_PATH,"
                + " LMGATE_AUTH__POLL_INTERVAL_SECONDS, LMGATE_STATS__OUTPUT_PATH,"
                + " LMGATE_STATS__FLUSH_INTERVAL_SECONDS, LMGATE_STATS__MAX_FILE_BYTES,"
                + " LMGATE_STATS__QUEUE_CAPACITY, LMGATE_STATS__MAX_EVENT_BYTES,"
                + " LMGATE_UPSTREAM__CONNECT_TIMEOUT_SECONDS,"
                + " LMGATE_UPSTREAM__IDLE_TIMEOUT_SECONDS, LMGATE_UPSTREAM__POOL_IDLE_TIMEOUT_SECONDS, LMGATE_UPSTREAM__FORWARDED_HEADERS, LMGATE_LOGGING__LEVEL,"
                + " LMGATE_POLICY__PATH, LMGATE_POLICY__MAX_READ_AHEAD_BYTES,"
                + " LMGATE_LIMITS__STORE, LMGATE_LIMITS__REDIS_URL,"
                + " LMGATE_LIMITS__ON_STORE_ERROR, LMGATE_PRICING__PATH,"
                + " LMGATE_OTEL__ENDPOINT, LMGATE_OTEL__SERVICE_NAME, LMGATE_OTEL__HEADERS,"
                + " LMGATE_OTEL__EXPORT_INTERVAL_SECONDS, LMGATE_OTEL__QUEUE_CAPACITY,"
                + " LMGATE_UI__TOKEN,"
                + " LMGATE_METRICS__OWNER_LABEL, LMGATE_METRICS__MAX_SERIES, LMGATE_METRICS__TOKEN,"
                + " LMGATE_PROVIDERS__<NAME>__<KEY>");
  }

  @Test
  void aBadRouteVariableListsTheRouteVariables() throws Exception {
    String valid =
        " valid variables for a route: LMGATE_PROVIDERS__<NAME>__PREFIX,"
            + " LMGATE_PROVIDERS__<NAME>__UPSTREAM, LMGATE_PROVIDERS__<NAME>__FORMAT,"
            + " LMGATE_PROVIDERS__<NAME>__ENABLED, LMGATE_PROVIDERS__<NAME>__UPSTREAM_KEY,"
            + " where <NAME> matches [a-z0-9][a-z0-9_-]*"
            + " once lower-cased";

    assertThat(
            fx.problems(
                Map.of(
                    "LMGATE_PROVIDERS__OPENAI__URL", "http://x",
                    "LMGATE_PROVIDERS__OPENAI", "http://x",
                    "LMGATE_PROVIDERS__MY.ROUTE__UPSTREAM", "http://x")))
        .containsExactly(
            "environment variable LMGATE_PROVIDERS__MY.ROUTE__UPSTREAM names no configuration"
                + " key (providers.my.route.upstream);"
                + valid,
            "environment variable LMGATE_PROVIDERS__OPENAI names no configuration key"
                + " (providers.openai);"
                + valid,
            "environment variable LMGATE_PROVIDERS__OPENAI__URL names no configuration key"
                + " (providers.openai.url);"
                + valid);
  }

  @Test
  void emptyLevelsAreTypos() throws Exception {
    assertThat(fx.problems(Map.of("LMGATE_SERVER___PORT", "1")))
        .singleElement()
        .satisfies(p -> assertThat(p).contains("valid variables for server:"))
        .satisfies(
            p -> assertThat(p).startsWith("environment variable LMGATE_SERVER___PORT names"));
  }

  @Test
  void variablesWithoutDoubleUnderscoreAreNotOursKubernetesServiceLinksAmongThem()
      throws Exception {
    LMGateConfig config =
        fx.load(
            Map.of(
                "LMGATE_PORT", "tcp://10.0.0.7:8080",
                "LMGATE_SERVICE_HOST", "10.0.0.7",
                "LMGATE_PORT_8080_TCP_ADDR", "10.0.0.7",
                "LMGATE_SERVER", "x"));
    assertThat(config.server().port()).isEqualTo(8080);
  }

  @Test
  void lmgateConfigAndOtherVariablesAreNotOverrides() throws Exception {
    fx.write("gw.yaml", "server: { port: 7000 }\n");

    LMGateConfig config =
        fx.load(
            Map.of(
                "LMGATE_CONFIG", "gw.yaml",
                "PATH", "/usr/bin",
                "lmgate_server__port", "1",
                "MY_LMGATE_SERVER__PORT", "2"));

    assertThat(config.server().port()).isEqualTo(7000);
  }

  @Test
  void fileAndEnvironmentProblemsAreReportedTogether() throws Exception {
    fx.writeDefaultFile("server:\n  port: http\n");

    assertThat(
            fx.problems(
                Map.of("LMGATE_STATS__QUEUE_CAPACITY", "-1", "LMGATE_LOGGING__LEVL", "DEBUG")))
        .containsExactlyInAnyOrder(
            "environment variable LMGATE_LOGGING__LEVL names no configuration key"
                + " (logging.levl); valid variables for logging: LMGATE_LOGGING__LEVEL",
            "server.port: expected an integer, got \"http\" (config/lmgate.yaml line 2)",
            "stats.queue_capacity: must be greater than 0 (at most 2147483647), got -1"
                + " (environment variable LMGATE_STATS__QUEUE_CAPACITY)");
  }
}
