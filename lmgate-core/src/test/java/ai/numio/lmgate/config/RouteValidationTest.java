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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code providers.*}: route keys, defaults, removal, order and validation. */
class RouteValidationTest {

  @TempDir Path tmp;
  ConfigFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ConfigFixture(tmp);
  }

  private Route onlyRoute(String name, String yamlRoute) throws Exception {
    fx.writeDefaultFile("providers:\n  " + name + ": " + yamlRoute + "\n");
    return fx.load().routes().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void aNewRouteNeedsUpstreamAndFormatAndItsPrefixDefaultsToItsName() throws Exception {
    Route route =
        onlyRoute("local-vllm", "{ upstream: 'http://127.0.0.1:8000/v1', format: OpenAI }");

    assertThat(route)
        .isEqualTo(
            new Route(
                "local-vllm",
                "/local-vllm/",
                URI.create("http://127.0.0.1:8000/v1"),
                Format.OPENAI));
  }

  @Test
  void aNewRouteWithoutUpstreamAndFormatGetsOneProblemForEach() throws Exception {
    assertThat(fx.problemsOf("providers:\n  groq:\n    prefix: /groq/\n"))
        .containsExactly(
            "providers.groq.upstream is missing; a route that is not built in needs upstream"
                + " and format (route groq declared at config/lmgate.yaml line 2)",
            "providers.groq.format is missing; a route that is not built in needs upstream and"
                + " format (route groq declared at config/lmgate.yaml line 2)");
  }

  @Test
  void aNewRouteWithNoKeysAtAllIsReportedToo() throws Exception {
    assertThat(fx.problemsOf("providers:\n  groq:\n"))
        .containsExactly(
            "providers.groq.upstream is missing; a route that is not built in needs upstream"
                + " and format (route groq declared at config/lmgate.yaml line 2)",
            "providers.groq.format is missing; a route that is not built in needs upstream and"
                + " format (route groq declared at config/lmgate.yaml line 2)");
  }

  @Test
  void enabledFalseRemovesADefaultRoute() throws Exception {
    fx.writeDefaultFile(
        "providers:\n  google: { enabled: false }\n  gemini:\n    enabled: FALSE\n");

    assertThat(fx.load().routes()).containsExactly(OPENAI, ANTHROPIC);
  }

  @Test
  void aDisabledNewRouteNeedsNothingElse() throws Exception {
    fx.writeDefaultFile("providers:\n  groq: { enabled: false, prefix: not-checked }\n");

    assertThat(fx.load().routes()).containsExactly(OPENAI, ANTHROPIC, GOOGLE, GEMINI);
  }

  @Test
  void enabledTrueKeepsARoute() throws Exception {
    fx.writeDefaultFile("providers:\n  openai: { enabled: True }\n");

    assertThat(fx.load().routes()).containsExactly(OPENAI, ANTHROPIC, GOOGLE, GEMINI);
  }

  @Test
  void enabledMustBeTrueOrFalse() throws Exception {
    assertThat(fx.problemsOf("providers:\n  openai: { enabled: yes }\n"))
        .containsExactly(
            "providers.openai.enabled: expected true or false, got \"yes\""
                + " (config/lmgate.yaml line 2)");
  }

  @Test
  void routesAreListedDefaultsFirstThenNewOnesInFileOrder() throws Exception {
    fx.writeDefaultFile(
        """
        providers:
          zeta: { upstream: http://z.example, format: google }
          anthropic: { prefix: /claude/ }
          alpha: { upstream: http://a.example, format: anthropic }
        """);

    assertThat(fx.load().routes().stream().map(r -> r.name() + " " + r.prefix()))
        .containsExactly(
            "openai /openai/",
            "anthropic /claude/",
            "google /google/",
            "gemini /gemini/",
            "zeta /zeta/",
            "alpha /alpha/");
  }

  @Test
  void anInvalidRouteNameIsAnError() throws Exception {
    assertThat(
            fx.problemsOf(
                """
                providers:
                  Groq: { upstream: http://g.example, format: openai }
                  _x: { upstream: http://x.example, format: openai }
                """))
        .containsExactly(
            "providers.Groq: invalid route name \"Groq\"; a route name matches"
                + " [a-z0-9][a-z0-9_-]* (lower-case letters, digits, _ and -)"
                + " (config/lmgate.yaml line 2)",
            "providers._x: invalid route name \"_x\"; a route name matches"
                + " [a-z0-9][a-z0-9_-]* (lower-case letters, digits, _ and -)"
                + " (config/lmgate.yaml line 3)");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"groq", "/groq", "groq/", "/", "//", "/a//b/", "/../", "/a/./b/", "/a b/", "/ü/"})
  void aPrefixNotOfTheFormSlashNameSlashIsAnError(String prefix) throws Exception {
    assertThat(fx.problemsOf("providers:\n  openai:\n    prefix: '" + prefix + "'\n"))
        .containsExactly(
            "providers.openai.prefix: must have the form /name/ (a leading and a trailing slash"
                + " around one or more path segments of letters, digits and . _ ~ -; no empty, ."
                + " or .. segments), got \""
                + prefix
                + "\" (config/lmgate.yaml line 3)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v1/", "/team-a/openai/", "/a.b_c~d/", "/..x/"})
  void prefixesOfTheFormSlashNameSlashAreAccepted(String prefix) throws Exception {
    assertThat(onlyRoute("openai", "{ prefix: '" + prefix + "' }").prefix()).isEqualTo(prefix);
  }

  @ParameterizedTest
  @CsvSource({
    "api.openai.com, it has no scheme",
    "ftp://files.example.com, the scheme is ftp",
    "https://, it is not a valid URL (Expected authority)",
    "'https://api.example.com/v1?key=1', it has a query string",
    "'https://api.example.com/v1#top', it has a fragment",
    "'https://api.example.com/?', it has a query string",
    "http:relative, it has no valid host",
    "https://host:0, the port 0 is not between 1 and 65535",
    "http://my_vllm:0, the port 0 is not between 1 and 65535",
    "http://my_vllm:70000, the port 70000 is not between 1 and 65535",
    "'http://my_vllm$:8000', it has no valid host",
    "'http://_a..b_:8000', it has no valid host",
    "'http://:8000', it has no valid host"
  })
  void anUpstreamThatIsNotAnAbsoluteHttpUrlIsAnError(String upstream, String reason)
      throws Exception {
    assertThat(fx.problemsOf("providers:\n  openai:\n    upstream: '" + upstream + "'\n"))
        .containsExactly(
            "providers.openai.upstream: must be an absolute http(s) URL with a host, such as"
                + " https://api.example.com or http://127.0.0.1:8000/v1, got \""
                + upstream
                + "\": "
                + reason
                + " (config/lmgate.yaml line 3)");
  }

  @Test
  void anUpstreamWithCredentialsIsRejectedWithoutEchoingThem() throws Exception {
    assertThat(
            fx.problemsOf(
                "providers:\n  openai:\n    upstream: https://me:s3cret@api.openai.com\n"))
        .containsExactly(
            "providers.openai.upstream: must not contain user info (user:password@); clients"
                + " send their own API keys (config/lmgate.yaml line 3)");
  }

  @ParameterizedTest
  @CsvSource({
    "https://api.openai.com/, https://api.openai.com",
    "http://127.0.0.1:9999/base/, http://127.0.0.1:9999/base",
    "http://127.0.0.1:9999/base//, http://127.0.0.1:9999/base",
    "HTTPS://API.Example.com/v1, https://API.Example.com/v1",
    "'http://[::1]:8000', 'http://[::1]:8000'",
    "http://my_vllm:8000/, http://my_vllm:8000",
    "HTTP://My_Upstream/v1/, http://My_Upstream/v1",
    "https://vllm_1.models_net, https://vllm_1.models_net"
  })
  void upstreamsMayCarryABasePathAndLoseTrailingSlashes(String text, String expected)
      throws Exception {
    assertThat(onlyRoute("openai", "{ upstream: '" + text + "' }").upstream())
        .isEqualTo(URI.create(expected));
  }

  @Test
  void aComposeServiceNameWithCredentialsIsRejectedWithoutEchoingThem() throws Exception {
    assertThat(fx.problemsOf("providers:\n  openai:\n    upstream: http://me:s3cret@my_vllm\n"))
        .containsExactly(
            "providers.openai.upstream: must not contain user info (user:password@); clients"
                + " send their own API keys (config/lmgate.yaml line 3)");
  }

  @Test
  void anUnknownFormatListsTheValidOnes() throws Exception {
    assertThat(
            fx.problemsOf(
                "providers:\n  groq:\n    upstream: https://api.groq.com\n    format: openia\n"))
        .containsExactly(
            "providers.groq.format: unknown format \"openia\"; valid formats: openai, anthropic,"
                + " google (config/lmgate.yaml line 4)");
  }

  @Test
  void twoRoutesWithTheSamePrefixAreAnError() throws Exception {
    assertThat(
            fx.problemsOf(
                """
                providers:
                  azure:
                    prefix: /openai/
                    upstream: https://x.openai.azure.com
                    format: openai
                """))
        .containsExactly(
            "providers.azure.prefix: \"/openai/\" is already the prefix of route openai; each"
                + " route needs its own prefix (config/lmgate.yaml line 3)");
  }

  @Test
  void aNewRoutesDefaultPrefixClashingWithAnotherIsReportedWithItsOrigin() throws Exception {
    assertThat(
            fx.problemsOf(
                """
                providers:
                  openai: { prefix: /llm/ }
                  llm: { upstream: https://llm.example, format: openai }
                """))
        .containsExactly(
            "providers.llm.prefix: \"/llm/\" is already the prefix of route openai; each route"
                + " needs its own prefix (default prefix of route llm, declared at"
                + " config/lmgate.yaml line 3)");
  }

  @Test
  void movingADefaultRoutesPrefixFreesItForAnother() throws Exception {
    fx.writeDefaultFile(
        """
        providers:
          openai: { prefix: /openai-direct/ }
          azure: { prefix: /openai/, upstream: https://x.openai.azure.com, format: openai }
        """);

    assertThat(fx.load().routes().stream().map(r -> r.name() + " " + r.prefix()))
        .containsExactly(
            "openai /openai-direct/",
            "anthropic /anthropic/",
            "google /google/",
            "gemini /gemini/",
            "azure /openai/");
  }

  @Test
  void aDisabledRoutesPrefixIsFree() throws Exception {
    fx.writeDefaultFile(
        """
        providers:
          openai: { enabled: false }
          azure: { prefix: /openai/, upstream: https://x.openai.azure.com, format: openai }
        """);

    assertThat(fx.load().routes())
        .containsExactly(
            ANTHROPIC,
            GOOGLE,
            GEMINI,
            new Route(
                "azure", "/openai/", URI.create("https://x.openai.azure.com"), Format.OPENAI));
  }
}
