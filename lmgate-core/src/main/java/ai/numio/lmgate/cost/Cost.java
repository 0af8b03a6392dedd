package ai.numio.lmgate.cost;

import ai.numio.lmgate.meter.Usage;
import ai.numio.lmgate.route.Format;

/**
 * The cost in USD of one exchange (SPEC-2 §13), by the route's metered format, from the token
 * counts as the meter reports them.
 *
 * <ul>
 *   <li>openai: {@code (input − cache_read)·in + cache_read·cache_read_price + output·out}
 *       (reasoning is inside output);
 *   <li>anthropic: {@code input·in + cache_read·cache_read_price + cache_write·cache_write_price +
 *       output·out} (Anthropic's input excludes cache reads and writes);
 *   <li>google: {@code (input − cache_read)·in + cache_read·cache_read_price + (output +
 *       reasoning)·out} (Gemini's thoughts are outside candidates).
 * </ul>
 *
 * <p>Prices are per 1 million tokens. The entry's long-context tier replaces all four prices when
 * the request's whole input exceeds its threshold: {@code input} for openai and google (their input
 * count includes cached tokens), {@code input + cache_read + cache_write} for anthropic. Unknown
 * optional counts (cache read, cache write, reasoning) are taken as 0; an input count below the
 * cache-read count (a provider's inconsistency) bills no uncached input rather than a negative
 * amount.
 */
public final class Cost {

  /** Prices are per this many tokens. */
  private static final double TOKENS_PER_PRICE = 1_000_000.0;

  private Cost() {}

  /**
   * The cost of the usage, looked up in the table by the usage's model; null when the model has no
   * entry or the input or output count is null.
   */
  public static Double of(PriceTable table, Format format, Usage usage) {
    ModelPrice price = table.find(usage.model(), format);
    return of(format, price, usage);
  }

  /** The cost of the usage at the given price; null when the price or a needed count is null. */
  public static Double of(Format format, ModelPrice price, Usage usage) {
    return of(
        format,
        price,
        usage.inputTokens(),
        usage.outputTokens(),
        usage.cacheReadTokens(),
        usage.cacheWriteTokens(),
        usage.reasoningTokens());
  }

  /**
   * The cost of the counts at the given price, unrounded; null when the price, the format, the
   * input or the output count is null.
   */
  public static Double of(
      Format format,
      ModelPrice price,
      Long input,
      Long output,
      Long cacheRead,
      Long cacheWrite,
      Long reasoning) {
    if (format == null || price == null || input == null || output == null) {
      return null;
    }
    long in = input;
    long out = output;
    long read = orZero(cacheRead);
    long write = orZero(cacheWrite);
    long thoughts = orZero(reasoning);

    long wholeInput = format == Format.ANTHROPIC ? in + read + write : in;
    double inPrice = price.input();
    double outPrice = price.output();
    double readPrice = price.cacheRead();
    double writePrice = price.cacheWrite();
    ModelPrice.LongContext tier = price.longContext();
    if (tier != null && wholeInput > tier.aboveInputTokens()) {
      inPrice = tier.input();
      outPrice = tier.output();
      readPrice = tier.cacheRead();
      writePrice = tier.cacheWrite();
    }

    double usd =
        switch (format) {
          case OPENAI -> Math.max(0, in - read) * inPrice + read * readPrice + out * outPrice;
          case ANTHROPIC -> in * inPrice + read * readPrice + write * writePrice + out * outPrice;
          case GOOGLE ->
              Math.max(0, in - read) * inPrice + read * readPrice + (out + thoughts) * outPrice;
        };
    return usd / TOKENS_PER_PRICE;
  }

  private static long orZero(Long count) {
    return count == null ? 0 : count;
  }
}
