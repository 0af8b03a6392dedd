package ai.numio.lmgate.cost;

import ai.numio.lmgate.route.Format;

/**
 * One entry of the price table: the prices in USD per 1 million tokens for the models its glob
 * matches.
 *
 * @param model the glob on the record's model, as written ({@code *} any run, {@code ?} one char)
 * @param format the metered format the entry is limited to, or null for any format
 * @param input price of an (uncached) input token
 * @param output price of an output token
 * @param cacheRead price of an input token read from the cache
 * @param cacheWrite price of an input token written to the cache
 * @param longContext the tier for long requests, or null when the model has none
 * @param origin where the entry was written ({@code <file> line <n>}), for messages
 */
public record ModelPrice(
    String model,
    Format format,
    double input,
    double output,
    double cacheRead,
    double cacheWrite,
    LongContext longContext,
    String origin) {

  /**
   * The prices that replace the entry's when a request's input (all of it, cached included) is
   * above {@code aboveInputTokens}.
   *
   * @param aboveInputTokens the threshold; the tier applies when the input exceeds it (strictly)
   * @param input price of an (uncached) input token in the tier
   * @param output price of an output token in the tier
   * @param cacheRead price of a cache-read token in the tier
   * @param cacheWrite price of a cache-write token in the tier
   */
  public record LongContext(
      long aboveInputTokens, double input, double output, double cacheRead, double cacheWrite) {}
}
