package ai.numio.lmgate.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RouterTest {

  static final Route OPENAI =
      new Route("openai", "/openai/", URI.create("https://api.openai.com"), Format.OPENAI);
  static final Route ANTHROPIC =
      new Route(
          "anthropic", "/anthropic/", URI.create("https://api.anthropic.com"), Format.ANTHROPIC);
  static final Route GOOGLE =
      new Route(
          "google", "/google/", URI.create("https://aiplatform.googleapis.com"), Format.GOOGLE);
  static final Route GEMINI =
      new Route(
          "gemini",
          "/gemini/",
          URI.create("https://generativelanguage.googleapis.com"),
          Format.GOOGLE);
  static final Route GROQ =
      new Route("groq", "/groq/", URI.create("https://api.groq.com/openai"), Format.OPENAI);

  static final List<Route> DEFAULTS = List.of(OPENAI, ANTHROPIC, GOOGLE, GEMINI);

  final Router router = new Router(List.of(OPENAI, ANTHROPIC, GOOGLE, GEMINI, GROQ));

  private RouteMatch matched(Router r, String rawPath) {
    RouteResult result = r.match(rawPath);
    assertThat(result)
        .as("result for %s (%s)", rawPath, result.message())
        .isInstanceOf(RouteMatch.class);
    return (RouteMatch) result;
  }

  private RouteMatch matched(String rawPath) {
    return matched(router, rawPath);
  }

  // ---- the default routes and a user route ----

  @ParameterizedTest
  @CsvSource({
    "/openai/v1/chat/completions, openai, v1/chat/completions,"
        + " https://api.openai.com/v1/chat/completions",
    "/anthropic/v1/messages, anthropic, v1/messages, https://api.anthropic.com/v1/messages",
    "/google/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash:streamGenerateContent,"
        + " google,"
        + " v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash:streamGenerateContent,"
        + " https://aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash:streamGenerateContent",
    "/gemini/v1beta/models/gemini-2.5-pro:generateContent, gemini,"
        + " v1beta/models/gemini-2.5-pro:generateContent,"
        + " https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent",
    "/groq/v1/chat/completions, groq, v1/chat/completions,"
        + " https://api.groq.com/openai/v1/chat/completions",
  })
  void defaultAndUserRoutesMapToTheirUpstream(
      String path, String route, String remainder, String upstreamUri) {
    RouteMatch m = matched(path);

    assertThat(m.route().name()).isEqualTo(route);
    assertThat(m.remainder()).isEqualTo(remainder);
    assertThat(m.upstreamUri(null)).isEqualTo(upstreamUri);
  }

  @Test
  void specExampleKeepsTheQuery() {
    RouteMatch m = matched(new Router(DEFAULTS), "/openai/v1/chat/completions");

    assertThat(m.route()).isSameAs(OPENAI);
    assertThat(m.upstreamUri("x=1")).isEqualTo("https://api.openai.com/v1/chat/completions?x=1");
    assertThat(m.target().hostHeader()).isEqualTo("api.openai.com");
  }

  @Test
  void defaultRoutesSendTheirOwnHostHeaders() {
    Router defaults = new Router(DEFAULTS);

    assertThat(matched(defaults, "/anthropic/v1/messages").target().hostHeader())
        .isEqualTo("api.anthropic.com");
    assertThat(matched(defaults, "/google/v1/x").target().hostHeader())
        .isEqualTo("aiplatform.googleapis.com");
    assertThat(matched(defaults, "/gemini/v1beta/models").target().hostHeader())
        .isEqualTo("generativelanguage.googleapis.com");
    assertThat(matched(router, "/groq/v1/models").target().hostHeader()).isEqualTo("api.groq.com");
  }

  @Test
  void plainHttpLoopbackUpstreamWorks() {
    Route local =
        new Route("local", "/openai/", URI.create("http://127.0.0.1:9999"), Format.OPENAI);
    RouteMatch m = matched(new Router(List.of(local)), "/openai/v1/models");

    assertThat(m.upstreamUri("limit=2")).isEqualTo("http://127.0.0.1:9999/v1/models?limit=2");
    assertThat(m.target().hostHeader()).isEqualTo("127.0.0.1:9999");
  }

  // ---- prefixes ----

  @Test
  void bareprefixMatchesWithEmptyRemainder() {
    RouteMatch m = matched("/openai/");

    assertThat(m.route()).isSameAs(OPENAI);
    assertThat(m.remainder()).isEmpty();
    assertThat(m.upstreamUri(null)).isEqualTo("https://api.openai.com/");
    assertThat(matched("/groq/").upstreamUri(null)).isEqualTo("https://api.groq.com/openai/");
  }

  @Test
  void trailingSlashIsKept() {
    assertThat(matched("/openai/v1/models/").upstreamUri(null))
        .isEqualTo("https://api.openai.com/v1/models/");
  }

  @Test
  void longestPrefixWinsWhateverTheConfigurationOrder() {
    Route azure =
        new Route(
            "azure",
            "/openai/azure/",
            URI.create("https://my.openai.azure.com/openai"),
            Format.OPENAI);
    for (List<Route> order : List.of(List.of(OPENAI, azure), List.of(azure, OPENAI))) {
      Router r = new Router(order);

      RouteMatch toAzure = matched(r, "/openai/azure/deployments/gpt4o/chat/completions");
      assertThat(toAzure.route()).isSameAs(azure);
      assertThat(toAzure.upstreamUri("api-version=2024-10-21"))
          .isEqualTo(
              "https://my.openai.azure.com/openai/deployments/gpt4o/chat/completions"
                  + "?api-version=2024-10-21");
      assertThat(matched(r, "/openai/azure/").route()).isSameAs(azure);

      RouteMatch notAzure = matched(r, "/openai/azurex/v1");
      assertThat(notAzure.route()).isSameAs(OPENAI);
      assertThat(notAzure.remainder()).isEqualTo("azurex/v1");
      assertThat(matched(r, "/openai/azure").route()).isSameAs(OPENAI);
      assertThat(matched(r, "/openai/azure").remainder()).isEqualTo("azure");
    }
  }

  @Test
  void multiSegmentPrefix() {
    Route east =
        new Route(
            "azure-east",
            "/azure/east/",
            URI.create("https://east.openai.azure.com/openai"),
            Format.OPENAI);
    Router r = new Router(List.of(OPENAI, east));

    RouteMatch m = matched(r, "/azure/east/deployments/d/embeddings");
    assertThat(m.route()).isSameAs(east);
    assertThat(m.remainder()).isEqualTo("deployments/d/embeddings");
    assertThat(m.upstreamUri(null))
        .isEqualTo("https://east.openai.azure.com/openai/deployments/d/embeddings");
    assertThat(r.match("/azure/west/deployments")).isInstanceOf(RouteNotFound.class);
    assertThat(r.match("/azure/east")).isInstanceOf(RouteNotFound.class);
  }

  @Test
  void percentEncodedUnreservedCharactersInThePrefixAreTheSameCharacters() {
    RouteMatch m = matched("/op%65nai/v1/files/%41%2Bb");

    assertThat(m.route()).isSameAs(OPENAI);
    assertThat(m.remainder()).isEqualTo("v1/files/%41%2Bb"); // the remainder is never decoded
    assertThat(m.upstreamUri(null)).isEqualTo("https://api.openai.com/v1/files/%41%2Bb");

    Route azure =
        new Route("azure", "/openai/azure/", URI.create("https://az.example"), Format.OPENAI);
    Router r = new Router(List.of(OPENAI, azure));
    RouteMatch deep = matched(r, "/%6Fpenai/%61zure/v1/%7Ex");
    assertThat(deep.route()).isSameAs(azure);
    assertThat(deep.remainder()).isEqualTo("v1/%7Ex");
  }

  @Test
  void encodedReservedCharactersInThePrefixDoNotMatch() {
    // '%3A' is ':' and stays encoded; '/openai%3A/' is not '/openai/'.
    assertThat(router.match("/openai%3A/v1")).isInstanceOf(RouteNotFound.class);
  }

  // ---- not found ----

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/openai",
        "/",
        "/unknown/v1/chat/completions",
        "/v1/chat/completions",
        "/OPENAI/v1/models",
        "/openaix/v1",
        "/open/ai/v1",
        "/healthz",
      })
  void pathsOutsideEveryPrefixAreNotFound(String path) {
    RouteResult result = router.match(path);

    assertThat(result).isInstanceOf(RouteNotFound.class);
    assertThat(result).isInstanceOf(RouteNotFound.class);
    assertThat(result.message())
        .isEqualTo(
            "no route matches this path; paths must start with one of"
                + " /openai/, /anthropic/, /google/, /gemini/, /groq/");
  }

  @Test
  void withoutRoutesEverythingIsNotFound() {
    RouteResult result = new Router(List.of()).match("/openai/v1/models");

    assertThat(result).isInstanceOf(RouteNotFound.class);
    assertThat(result.message()).isEqualTo("no route is configured");
  }

  // ---- rejected ----

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // attacker examples: dot segments, literal or encoded, any case, mixed
        "/openai/../anthropic/v1/messages | a '.' or '..' segment (literal or percent-encoded) at"
            + " offset 8",
        "/openai/%2e%2e/anthropic/x | '..' segment (literal or percent-encoded) at offset 8",
        "/openai/%2E%2E/anthropic/x | '..' segment (literal or percent-encoded) at offset 8",
        "/openai/.%2e/anthropic/x | '..' segment (literal or percent-encoded) at offset 8",
        "/openai/%2e./anthropic/x | '..' segment (literal or percent-encoded) at offset 8",
        "/openai/%2E%2e/anthropic/x | '..' segment (literal or percent-encoded) at offset 8",
        "/openai/v1/%2e%2e/%2e%2e/x | '..' segment (literal or percent-encoded) at offset 11",
        "/openai/./v1/models | '..' segment (literal or percent-encoded) at offset 8",
        "/openai/%2e/v1/models | '..' segment (literal or percent-encoded) at offset 8",
        "/openai/v1/.. | '..' segment (literal or percent-encoded) at offset 11",
        "/openai/v1/%2E | '..' segment (literal or percent-encoded) at offset 11",
        "/.. | '..' segment (literal or percent-encoded) at offset 1",
        "/../openai/v1 | '..' segment (literal or percent-encoded) at offset 1",
        "/%2e%2e/openai/v1 | '..' segment (literal or percent-encoded) at offset 1",
        // dot segments with path parameters, which Tomcat-style containers read as '..'
        "/openai/..;/anthropic/v1/messages | '..' segment (literal or percent-encoded) at offset 8",
        "/openai/..;jsessionid=1/x | '..' segment (literal or percent-encoded) at offset 8",
        "/openai/.;/x | '..' segment (literal or percent-encoded) at offset 8",
        "/openai/%2e%2e%3b/x | '..' segment (literal or percent-encoded) at offset 8",
        // encoded slash and backslash
        "/openai/..%2fanthropic | an encoded slash (%2F) at offset 10",
        "/openai/..%2Fanthropic | an encoded slash (%2F) at offset 10",
        "/openai%2f..%2fanthropic/v1 | an encoded slash (%2F) at offset 7",
        "/openai/v1%2Fchat | an encoded slash (%2F) at offset 10",
        "/openai/..%5canthropic | an encoded backslash (%5C) at offset 10",
        "/openai/v1%5Cx | an encoded backslash (%5C) at offset 10",
        "/openai/..\\anthropic | a backslash at offset 10",
        "/openai\\v1 | a backslash at offset 7",
        // empty segments
        "/openai//v1 | an empty segment ('//') at offset 7",
        "//openai/v1 | an empty segment ('//') at offset 0",
        "/openai/v1//chat | an empty segment ('//') at offset 10",
        "/openai/v1/chat// | an empty segment ('//') at offset 15",
        // malformed escapes
        "/openai/v1/% | a '%' at offset 11 that is not followed by two hex digits",
        "/openai/v1/%4 | a '%' at offset 11 that is not followed by two hex digits",
        "/openai/v1/%zz | a '%' at offset 11 that is not followed by two hex digits",
        "/openai/v1/%u002e%u002e | a '%' at offset 11 that is not followed by two hex digits",
        "/openai/%%32%65/x | a '%' at offset 8 that is not followed by two hex digits",
        // encoded control characters and overlong UTF-8
        "/openai/v1%00.json | an encoded control character at offset 10",
        "/openai/v1%0d%0aHost:evil | an encoded control character at offset 10",
        "/openai/v1%7F | an encoded control character at offset 10",
        "/openai/%c0%ae%c0%ae/x | an overlong UTF-8 escape (%C0/%C1) at offset 8",
        "/openai/%C1%9C/x | an overlong UTF-8 escape (%C0/%C1) at offset 8",
        // characters that are not path characters
        "/openai/v1/chat completions | a space at offset 15",
        "/openai/v1?x=1 | character U+003F, which is not allowed in a URL path (percent-encode it)"
            + " at offset 10",
        "/openai/v1#frag | character U+0023, which is not allowed in a URL path",
        "/openai/v1/{id} | character U+007B, which is not allowed in a URL path",
        "/openai/v1/<script> | character U+003C, which is not allowed in a URL path",
        "/openai/v1/caf\u00e9 | a non-ASCII character (percent-encode it as UTF-8) at offset 14",
        // not starting with '/'
        "openai/v1/models | path must start with '/'",
        "https://evil.example/openai/v1 | path must start with '/'",
        "*:// | path must start with '/'",
        " | path must start with '/'",
      })
  void pathsThatCouldLeaveTheirRouteAreRejected(String path, String expected) {
    RouteResult result = router.match(path == null ? "" : path);

    assertThat(result).isInstanceOf(RouteRejected.class);
    assertThat(result).isInstanceOf(RouteRejected.class);
    assertThat(result.message()).contains(expected.strip());
  }

  @Test
  void controlCharactersAreRejected() {
    for (String path :
        List.of(
            "/openai/v1\r\nHost: evil", "/openai/v1\u0000", "/openai/\t/v1", "/openai/\u0085")) {
      RouteResult result = router.match(path);

      assertThat(result).as(path).isInstanceOf(RouteRejected.class);
      assertThat(result.message()).as(path).startsWith("path has a control character at offset");
    }
  }

  @Test
  void unicodeDigitsAreNotHexDigits() {
    // FULLWIDTH DIGIT ZERO is a digit to Character.digit, but never part of a percent-escape.
    RouteResult result = router.match("/openai/%\uff12\uff45/x");

    assertThat(result).isInstanceOf(RouteRejected.class);
    assertThat(result.message())
        .isEqualTo("path has a '%' at offset 8 that is not followed by two hex digits");
  }

  @Test
  void rejectionIsDecidedBeforeMatchingAndEvenForUnknownPrefixes() {
    assertThat(router.match("/nowhere/../openai/v1")).isInstanceOf(RouteRejected.class);
    assertThat(router.match("/openai/v1/models/..")).isInstanceOf(RouteRejected.class);
  }

  @Test
  void rejectionMessagesDoNotEchoThePath() {
    String payload = "/openai/<img src=x onerror=alert(1)>/../\"quoted\"";

    RouteResult result = router.match(payload);

    assertThat(result).isInstanceOf(RouteRejected.class);
    assertThat(result.message())
        .isEqualTo(
            "path has character U+003C, which is not allowed in a URL path (percent-encode it) at"
                + " offset 8")
        .doesNotContain("<", ">", "\"", "img");
  }

  // ---- paths that look odd but are fine ----

  @ParameterizedTest
  @CsvSource({
    "/openai/v1/files/a.b.c, v1/files/a.b.c",
    "/openai/v1/files/.hidden, v1/files/.hidden",
    "/openai/v1/files/..x, v1/files/..x",
    "/openai/v1/files/x.., v1/files/x..",
    "/openai/v1/files/..., v1/files/...",
    "/openai/v1/files/%2e%2e%2e, v1/files/%2e%2e%2e",
    "/openai/v1/files/.%2ex, v1/files/.%2ex",
    // double encoding: %25 is a literal '%', upstreams decode once and see the name '%2e%2e'
    "/openai/v1/files/%252e%252e, v1/files/%252e%252e",
    "/openai/v1/files/%252f, v1/files/%252f",
    "/openai/v1/files/a%20b, v1/files/a%20b",
    "/openai/v1/files/caf%C3%A9, v1/files/caf%C3%A9",
    "/openai/v1/x;y=1, v1/x;y=1",
  })
  void dotsInNamesAndHarmlessEscapesAreFine(String path, String remainder) {
    RouteMatch m = matched(path);

    assertThat(m.route()).isSameAs(OPENAI);
    assertThat(m.remainder()).isEqualTo(remainder);
    assertThat(m.upstreamUri(null)).isEqualTo("https://api.openai.com/" + remainder);
  }

  @Test
  void everyRfc3986PathCharacterIsFine() {
    String remainder = "v1/AZaz09-._~/!$&'()*+,;=:@/x";

    RouteMatch m = matched("/openai/" + remainder);

    assertThat(m.remainder()).isEqualTo(remainder);
    assertThat(m.upstreamUri(null)).isEqualTo("https://api.openai.com/" + remainder);
  }

  @Test
  void vertexClaudePathIsFine() {
    RouteMatch m =
        matched(
            "/google/v1/projects/my-proj/locations/us-east5/publishers/anthropic/models/"
                + "claude-sonnet-4@20250514:streamRawPredict");

    assertThat(m.route()).isSameAs(GOOGLE);
    assertThat(m.upstreamUri(null))
        .isEqualTo(
            "https://aiplatform.googleapis.com/v1/projects/my-proj/locations/us-east5/publishers/"
                + "anthropic/models/claude-sonnet-4@20250514:streamRawPredict");
  }

  // ---- queries ----

  @ParameterizedTest
  @ValueSource(
      strings = {
        "x=1",
        "path=a%2Fb%2fc",
        "q=a+b&q=c+d&q=",
        "a=1;b=2",
        "name=%E6%97%A5%E6%9C%AC%E8%AA%9E",
        "key=AIzaSy-abc_DEF&alt=sse",
        "x=%2e%2e%2F..%2Fadmin",
        "=&&=&a",
        "a=b?c=d/e",
      })
  void queryIsKeptByteForByte(String rawQuery) {
    assertThat(matched("/gemini/v1beta/models/m:streamGenerateContent").upstreamUri(rawQuery))
        .isEqualTo(
            "https://generativelanguage.googleapis.com/v1beta/models/m:streamGenerateContent?"
                + rawQuery);
  }

  @Test
  void noOrEmptyQueryAddsNoQuestionMark() {
    RouteMatch m = matched("/openai/v1/models");

    assertThat(m.upstreamUri(null)).isEqualTo("https://api.openai.com/v1/models");
    assertThat(m.upstreamUri("")).isEqualTo("https://api.openai.com/v1/models");
  }

  // ---- construction ----

  @Test
  void routesAreKeptInConfigurationOrderAndCannotChange() {
    List<Route> configured = new ArrayList<>(List.of(GROQ, OPENAI));
    Router r = new Router(configured);
    configured.clear();

    assertThat(r.routes()).containsExactly(GROQ, OPENAI);
    assertThatThrownBy(() -> r.routes().add(GEMINI))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(matched(r, "/groq/v1/models").route()).isSameAs(GROQ);
  }

  @Test
  void duplicatePrefixesAreRefused() {
    Route other = new Route("other", "/openai/", URI.create("https://x.example"), Format.OPENAI);

    assertThatThrownBy(() -> new Router(List.of(OPENAI, other)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "routes 'openai' and 'other' have the same prefix '/openai/'; give each route its own"
                + " prefix");
  }

  @Test
  void prefixesEqualAfterNormalizationAreDuplicates() {
    Route other = new Route("other", "/op%65nai/", URI.create("https://x.example"), Format.OPENAI);

    assertThatThrownBy(() -> new Router(List.of(OPENAI, other)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("routes 'openai' and 'other' have the same prefix '/op%65nai/'");
  }

  @Test
  void nullPathIsAProgrammingError() {
    assertThatThrownBy(() -> router.match(null)).isInstanceOf(NullPointerException.class);
  }
}
