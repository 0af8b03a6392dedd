package ai.numio.lmgate.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A route checks itself when made, so that a route built in code meets the configuration rules. */
class RouteTest {

  private static final URI GROQ = URI.create("https://api.groq.com");

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "groq | prefix 'groq' does not start and end with '/' around a name",
        "/groq | prefix '/groq' does not start and end with '/' around a name",
        "groq/ | prefix 'groq/' does not start and end with '/' around a name",
        "/ | prefix '/' does not start and end with '/' around a name",
        "// | prefix '//' does not start and end with '/' around a name",
        "/a//b/ | prefix '/a//b/' is not usable: path has an empty segment ('//') at offset 2",
        "/../ | prefix '/../' is not usable: path has a '.' or '..' segment",
        "/a b/ | prefix '/a b/' is not usable: path has a space at offset 2",
      })
  void malformedPrefixesAreRefusedNamingTheRoute(String prefix, String problem) {
    assertThatThrownBy(() -> new Route("groq", prefix, GROQ, Format.OPENAI))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("route 'groq': " + problem)
        .hasMessageEndingWith("; give a prefix of the form /name/, like /groq/");
  }

  @Test
  void missingValuesAreRefusedNamingTheRoute() {
    assertThatThrownBy(() -> new Route(null, "/groq/", GROQ, Format.OPENAI))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a route needs a name");
    assertThatThrownBy(() -> new Route("groq", null, GROQ, Format.OPENAI))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("route 'groq': prefix is missing;");
    assertThatThrownBy(() -> new Route("groq", "/groq/", null, Format.OPENAI))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("route 'groq': upstream is missing;");
    assertThatThrownBy(() -> new Route("groq", "/groq/", GROQ, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("route 'groq': format is missing; give openai, anthropic or google");
  }

  @Test
  void anUpstreamThatIsNoHttpUrlIsRefused() {
    URI ftp = URI.create("ftp://files.example.com");

    assertThatThrownBy(() -> new Route("groq", "/groq/", ftp, Format.OPENAI))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "route 'groq': upstream 'ftp://files.example.com' is not an absolute http(s) URL");
  }

  @Test
  void aHostWithAnUnderscoreIsAValidUpstream() {
    Route route = new Route("vllm", "/vllm/", URI.create("http://my_vllm:8000"), Format.OPENAI);

    assertThat(route.upstream().getRawAuthority()).isEqualTo("my_vllm:8000");
  }
}
