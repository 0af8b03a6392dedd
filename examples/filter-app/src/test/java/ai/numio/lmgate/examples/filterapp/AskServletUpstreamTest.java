package ai.numio.lmgate.examples.filterapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.ServletException;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where AskServlet sends its calls: context init-param, else environment, else OpenAI. */
class AskServletUpstreamTest {

  private static final Map<String, String> ENV =
      Map.of("APP_OPENAI_UPSTREAM", "http://127.0.0.1:9999/");

  @Test
  void theContextParamWinsOverTheEnvironment() throws Exception {
    assertThat(AskServlet.configuredUpstream(" https://llm.internal.example/openai ", ENV))
        .isEqualTo(URI.create("https://llm.internal.example/openai"));
  }

  @Test
  void theEnvironmentIsReadWhenTheContextParamIsMissingOrBlank() throws Exception {
    assertThat(AskServlet.configuredUpstream(null, ENV))
        .isEqualTo(URI.create("http://127.0.0.1:9999"));
    assertThat(AskServlet.configuredUpstream("  ", ENV))
        .isEqualTo(URI.create("http://127.0.0.1:9999"));
  }

  @Test
  void openAiIsTheDefault() throws Exception {
    assertThat(AskServlet.configuredUpstream(null, Map.of()))
        .isEqualTo(URI.create("https://api.openai.com"));
  }

  @Test
  void aValueThatIsNotAnAbsoluteHttpUrlIsNamedWithItsOrigin() {
    assertThatThrownBy(() -> AskServlet.configuredUpstream("api.openai.com", ENV))
        .isInstanceOf(ServletException.class)
        .hasMessage(
            "context init-param 'app.openai.upstream' is \"api.openai.com\": expected an absolute"
                + " http(s) URL without query, e.g. https://api.openai.com");
    assertThatThrownBy(
            () -> AskServlet.configuredUpstream(null, Map.of("APP_OPENAI_UPSTREAM", "ftp://x/")))
        .isInstanceOf(ServletException.class)
        .hasMessage(
            "environment variable APP_OPENAI_UPSTREAM is \"ftp://x/\": expected an absolute"
                + " http(s) URL without query, e.g. https://api.openai.com");
  }
}
