package ai.numio.lmgate.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random paths built from the pieces attackers use: whatever the router lets through must stay
 * under the route's base path for an upstream that decodes the path once, strips path parameters
 * and resolves dot segments.
 */
class RouterEscapePropertyTest {

  private static final List<String> PIECES =
      List.of(
          "/",
          "/",
          "/",
          ".",
          "..",
          "%2e",
          "%2E",
          "%2f",
          "%2F",
          "%5c",
          "%5C",
          "\\",
          ";",
          "%3b",
          "%25",
          "%252e",
          "a",
          "v1",
          "openai",
          "anthropic",
          "azure",
          "%6F",
          "%",
          "%c0%ae",
          ":",
          "@",
          "~",
          " ");

  private static final Route OPENAI =
      new Route("openai", "/openai/", URI.create("https://api.openai.com/base"), Format.OPENAI);
  private static final Route AZURE =
      new Route(
          "azure", "/openai/azure/", URI.create("https://az.example/deep/base"), Format.OPENAI);
  private static final Route ANTHROPIC =
      new Route(
          "anthropic", "/anthropic/", URI.create("https://api.anthropic.com"), Format.ANTHROPIC);

  private final Router router = new Router(List.of(OPENAI, AZURE, ANTHROPIC));

  @Test
  void nothingThatMatchesCanLeaveItsRoute() {
    Random random = new Random(20260216L);
    int matched = 0;
    int rejected = 0;
    for (int n = 0; n < 50_000; n++) {
      StringBuilder path = new StringBuilder(random.nextBoolean() ? "/openai/" : "/");
      int pieces = 1 + random.nextInt(8);
      for (int p = 0; p < pieces; p++) {
        path.append(PIECES.get(random.nextInt(PIECES.size())));
      }
      RouteResult result = router.match(path.toString());
      if (result instanceof RouteMatch m) {
        matched++;
        assertStaysInside(path.toString(), m);
      } else if (result instanceof RouteRejected) {
        rejected++;
      }
    }
    // The generator must exercise both sides, or the property says nothing.
    assertThat(matched).isGreaterThan(2_500);
    assertThat(rejected).isGreaterThan(2_500);
  }

  private static void assertStaysInside(String path, RouteMatch m) {
    String uri = m.upstreamUri(null);
    String base = m.target().origin() + m.target().basePath() + "/";
    assertThat(uri).as(path).startsWith(base);
    assertThat(URI.create(uri).normalize().toString()).as(path).startsWith(base);

    // What a lenient upstream sees: decode once, '\' as '/', drop ';params', resolve dots.
    String decoded = decodeOnce(m.remainder()).replace('\\', '/');
    for (String segment : decoded.split("/", -1)) {
      int semicolon = segment.indexOf(';');
      String name = semicolon < 0 ? segment : segment.substring(0, semicolon);
      assertThat(name).as(path).isNotIn(".", "..");
    }
    assertThat(decoded).as(path).doesNotContain("//").doesNotStartWith("/");
  }

  private static String decodeOnce(String raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        out.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }
}
