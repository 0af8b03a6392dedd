package ai.numio.lmgate.otel;

import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.route.Format;
import ai.numio.lmgate.route.Route;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The semantic conventions' names for routes and endpoints. */
class GenAiNamesTest {

  @ParameterizedTest
  @CsvSource({
    "https://api.openai.com, openai, openai",
    "https://api.anthropic.com, anthropic, anthropic",
    "https://aiplatform.googleapis.com, google, gcp.vertex_ai",
    "https://europe-west4-aiplatform.googleapis.com, google, gcp.vertex_ai",
    "https://generativelanguage.googleapis.com, google, gcp.gemini",
    "https://generativelanguage.googleapis.com/v1beta/openai, openai, gcp.gemini",
    "http://127.0.0.1:8000, google, gcp.gen_ai",
    "https://my-res.openai.azure.com/openai, openai, azure.ai.openai",
    "https://api.groq.com/openai, openai, groq",
    "https://api.deepseek.com, openai, deepseek",
    "https://api.mistral.ai, openai, mistral_ai",
    "https://api.x.ai, openai, x_ai",
    "https://api.perplexity.ai, openai, perplexity",
    "http://vllm:8000, openai, openai",
    "http://proxy.internal, anthropic, anthropic",
  })
  void providerNamesFollowTheRoutesUpstream(String upstream, String format, String expected) {
    Route route = new Route("r", "/r/", URI.create(upstream), Format.parse(format).orElseThrow());
    assertThat(GenAiNames.providerName(route)).isEqualTo(expected);
  }

  @Test
  void aRecordWithoutRouteHasTheOtherProvider() {
    assertThat(GenAiNames.providerName(null)).isEqualTo("_OTHER");
  }

  @ParameterizedTest
  @CsvSource({
    "/openai/v1/chat/completions, chat",
    "/openai/v1/responses, chat",
    "/anthropic/v1/messages, chat",
    "/openai/v1/completions, text_completion",
    "/openai/v1/embeddings, embeddings",
    "/gemini/v1beta/models/gemini-2.5-flash:generateContent, generate_content",
    "/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent, generate_content",
    "/gemini/v1beta/models/text-embedding-004:embedContent, embeddings",
    "/gemini/v1beta/models/text-embedding-004:batchEmbedContents, embeddings",
    "/google/v1/projects/p/locations/l/publishers/anthropic/models/claude:rawPredict, chat",
    "/google/v1/projects/p/locations/l/publishers/anthropic/models/claude:streamRawPredict, chat",
    "/gemini/v1beta/models/gemini-2.5-flash:countTokens, other",
    "/anthropic/v1/messages/count_tokens, other",
    "/openai/v1/models, other",
    "/openai/v1/files/file-abc123, other",
    "/openai/v1/responses/resp_123, other",
  })
  void operationNamesComeFromTheEndpointAndNeverCarryAnId(String endpoint, String expected) {
    assertThat(GenAiNames.operationName(endpoint)).isEqualTo(expected);
  }

  @Test
  void theRequestedModelIsTheGooglePathsElseTheResponses() {
    Route vertex =
        new Route(
            "google", "/google/", URI.create("https://aiplatform.googleapis.com"), Format.GOOGLE);
    Route openai =
        new Route("openai", "/openai/", URI.create("https://api.openai.com"), Format.OPENAI);
    assertThat(
            GenAiNames.requestModel(
                vertex,
                "/google/v1/projects/p/locations/l/publishers/google/models/gemini-2.5-pro:generateContent",
                "gemini-2.5-pro-002"))
        .isEqualTo("gemini-2.5-pro");
    assertThat(GenAiNames.requestModel(vertex, "/google/v1/projects/p/operations", "x"))
        .isEqualTo("x");
    assertThat(GenAiNames.requestModel(openai, "/openai/v1/chat/completions", "gpt-4o-2024-08-06"))
        .isEqualTo("gpt-4o-2024-08-06");
    assertThat(GenAiNames.requestModel(null, "/x/models/y:generateContent", null)).isNull();
  }
}
