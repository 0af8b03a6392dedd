package ai.numio.lmgate.otel;

import ai.numio.lmgate.policy.ModelReadAhead;
import ai.numio.lmgate.route.Format;
import ai.numio.lmgate.route.Route;
import java.util.Locale;

/**
 * The OpenTelemetry GenAI semantic conventions' names for what a usage record describes: the
 * provider ({@code gen_ai.provider.name}) from the route's format and upstream host, the operation
 * ({@code gen_ai.operation.name}) from the endpoint, the requested model.
 */
final class GenAiNames {

  /** The provider of a record no route matched (a filter that could not attribute it). */
  static final String OTHER_PROVIDER = "_OTHER";

  /** The operation of an endpoint that is none of the GenAI operations (list models, files …). */
  static final String OTHER_OPERATION = "other";

  private GenAiNames() {}

  /**
   * {@code gen_ai.provider.name}: the well-known value for the route's upstream — {@code openai},
   * {@code anthropic}, {@code gcp.gemini} (generativelanguage.googleapis.com), {@code
   * gcp.vertex_ai} (aiplatform.googleapis.com), {@code azure.ai.openai} and the OpenAI-compatible
   * providers the conventions name (groq, deepseek, mistral_ai, x_ai, perplexity) by their API
   * host; any other Google upstream is {@code gcp.gen_ai}, any other OpenAI-compatible one {@code
   * openai} (the format it speaks).
   */
  static String providerName(Route route) {
    if (route == null) {
      return OTHER_PROVIDER;
    }
    String host = route.upstream().getHost();
    host = host == null ? "" : host.toLowerCase(Locale.ROOT);
    if (host.equals("generativelanguage.googleapis.com")) {
      return "gcp.gemini"; // Gemini's own API, and its OpenAI-compatible endpoint
    }
    if (host.equals("aiplatform.googleapis.com") || host.endsWith("-aiplatform.googleapis.com")) {
      return "gcp.vertex_ai";
    }
    if (route.format() == Format.GOOGLE) {
      return "gcp.gen_ai";
    }
    if (route.format() == Format.ANTHROPIC) {
      return "anthropic";
    }
    if (host.endsWith(".openai.azure.com")) {
      return "azure.ai.openai";
    }
    switch (host) {
      case "api.groq.com":
        return "groq";
      case "api.deepseek.com":
        return "deepseek";
      case "api.mistral.ai":
        return "mistral_ai";
      case "api.x.ai":
        return "x_ai";
      case "api.perplexity.ai":
        return "perplexity";
      default:
        return "openai";
    }
  }

  /**
   * {@code gen_ai.operation.name} of an endpoint (the request path, query excluded): {@code chat}
   * (OpenAI chat completions and responses, Anthropic messages, Claude on Vertex), {@code
   * text_completion} (legacy completions), {@code embeddings}, {@code generate_content} (Gemini);
   * {@value #OTHER_OPERATION} for the rest, so that no path becomes a metric label.
   */
  static String operationName(String endpoint) {
    String path = endpoint == null ? "" : endpoint;
    int colon = path.lastIndexOf(':');
    if (colon > path.lastIndexOf('/')) {
      switch (path.substring(colon + 1)) {
        case "generateContent":
        case "streamGenerateContent":
          return "generate_content";
        case "embedContent":
        case "batchEmbedContents":
          return "embeddings";
        case "rawPredict":
        case "streamRawPredict":
          return "chat"; // Anthropic's messages API on Vertex AI
        default:
          return OTHER_OPERATION;
      }
    }
    if (path.endsWith("/chat/completions")
        || path.endsWith("/v1/messages")
        || path.endsWith("/responses")) {
      return "chat";
    }
    if (path.endsWith("/completions")) {
      return "text_completion";
    }
    if (path.endsWith("/embeddings")) {
      return "embeddings";
    }
    return OTHER_OPERATION;
  }

  /**
   * {@code gen_ai.request.model}: a Google path names the model it asks for; otherwise LMGate reads
   * no request body for telemetry, and the response's model stands for it. Null when neither is
   * known.
   */
  static String requestModel(Route route, String endpoint, String responseModel) {
    if (route != null && route.format() == Format.GOOGLE && endpoint != null) {
      String inPath = ModelReadAhead.modelInPath(endpoint);
      if (inPath != null) {
        return inPath;
      }
    }
    return responseModel;
  }
}
