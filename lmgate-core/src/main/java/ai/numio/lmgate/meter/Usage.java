package ai.numio.lmgate.meter;

/**
 * What a response said about its own cost, as far as the meter could read it. Every field is null
 * when the response did not report it (or could not be read).
 *
 * @param model the response's {@code model} (Gemini: {@code modelVersion})
 * @param errorType the provider's error type from the body, or {@code upstream_error} for an error
 *     event that names none; null when the body reported no error
 * @param stream whether the body was a stream (SSE, a streamed JSON array, or several JSON values)
 */
public record Usage(
    String model,
    Long inputTokens,
    Long outputTokens,
    Long cacheReadTokens,
    Long cacheWriteTokens,
    Long reasoningTokens,
    String errorType,
    boolean stream) {

  /** Nothing known: the response was not metered or said nothing. */
  public static final Usage NONE = new Usage(null, null, null, null, null, null, null, false);
}
