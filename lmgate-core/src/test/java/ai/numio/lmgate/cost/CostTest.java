package ai.numio.lmgate.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.numio.lmgate.meter.Usage;
import ai.numio.lmgate.route.Format;
import org.junit.jupiter.api.Test;

/** Cost by format against hand-computed values (SPEC-2 §13). */
class CostTest {

  /** Well within double precision for these magnitudes, far below any price step. */
  private static final double EXACT = 1e-15;

  private static final PriceTable TABLE = table();

  private static PriceTable table() {
    try {
      return PriceTableLoader.parse(
          """
          models:
            - model: "gpt-4o-mini*"
              input: 0.15
              output: 0.60
              cache_read: 0.075
            - model: "gpt-5*"
              format: openai
              input: 1.25
              output: 10
              cache_read: 0.125
              long_context:
                above_input_tokens: 272000
                input: 2.5
                output: 15
            - model: "claude-sonnet-4*"
              format: anthropic
              input: 3
              output: 15
              cache_read: 0.30
              cache_write: 3.75
              long_context:
                above_input_tokens: 200000
                input: 6
                output: 22.5
                cache_read: 0.6
                cache_write: 7.5
            - model: "gemini-2.5-pro*"
              format: google
              input: 1.25
              output: 10
              cache_read: 0.125
              long_context: {above_input_tokens: 200000, input: 2.5, output: 15}
            - model: "plain-model"
              input: 2
              output: 8
          """,
          "test.yaml");
    } catch (PriceTableException e) {
      throw new AssertionError(e);
    }
  }

  private static Double cost(
      Format format, String model, Long in, Long out, Long read, Long write, Long reasoning) {
    return Cost.of(TABLE, format, new Usage(model, in, out, read, write, reasoning, null, false));
  }

  @Test
  void openaiCachedInputIsPartOfInput() {
    // (1000 - 400)·0.15 + 400·0.075 + 200·0.60 = 90 + 30 + 120 = 240 per million
    assertThat(cost(Format.OPENAI, "gpt-4o-mini-2024-07-18", 1000L, 200L, 400L, null, 50L))
        .isCloseTo(0.000240, within(EXACT));
  }

  @Test
  void openaiReasoningIsInsideOutputAndCacheWriteIsNotBilled() {
    // 1000·0.15 + 200·0.60 = 150 + 120 = 270 per million; reasoning and cache_write add nothing
    assertThat(cost(Format.OPENAI, "gpt-4o-mini", 1000L, 200L, null, 300L, 150L))
        .isCloseTo(0.000270, within(EXACT));
  }

  @Test
  void openaiLongContextTierAppliesOnlyAboveTheThreshold() {
    // at the threshold: 200000·1.25 + 72000·0.125 + 1000·10 = 250000 + 9000 + 10000
    assertThat(cost(Format.OPENAI, "gpt-5.1", 272_000L, 1000L, 72_000L, null, null))
        .isCloseTo(0.269, within(EXACT));
    // one above: 200001·2.5 + 72000·0.25 (cache read scaled with input) + 1000·15
    //          = 500002.5 + 18000 + 15000
    assertThat(cost(Format.OPENAI, "gpt-5.1", 272_001L, 1000L, 72_000L, null, null))
        .isCloseTo(0.5330025, within(EXACT));
  }

  @Test
  void anthropicInputExcludesCacheReadsAndWrites() {
    // 100·3 + 5000·0.30 + 2000·3.75 + 300·15 = 300 + 1500 + 7500 + 4500; reasoning inside output
    assertThat(cost(Format.ANTHROPIC, "claude-sonnet-4-5", 100L, 300L, 5000L, 2000L, 120L))
        .isCloseTo(0.0138, within(EXACT));
  }

  @Test
  void anthropicLongContextCountsCachedInputTowardsTheThreshold() {
    // 1000 + 150000 + 49000 = 200000, not above: 3000 + 45000 + 183750 + 7500
    assertThat(cost(Format.ANTHROPIC, "claude-sonnet-4-5", 1000L, 500L, 150_000L, 49_000L, null))
        .isCloseTo(0.23925, within(EXACT));
    // 200001 (one more cache write): 1000·6 + 150000·0.6 + 49001·7.5 + 500·22.5
    //   = 6000 + 90000 + 367507.5 + 11250
    assertThat(cost(Format.ANTHROPIC, "claude-sonnet-4-5", 1000L, 500L, 150_000L, 49_001L, null))
        .isCloseTo(0.4747575, within(EXACT));
  }

  @Test
  void anthropicUnknownCacheCountsAreZero() {
    // 1000·3 + 100·15
    assertThat(cost(Format.ANTHROPIC, "claude-sonnet-4", 1000L, 100L, null, null, null))
        .isCloseTo(0.0045, within(EXACT));
  }

  @Test
  void googleThoughtsAreBilledAsOutputAndCachedInputIsPartOfInput() {
    // (10000 - 4000)·1.25 + 4000·0.125 + (500 + 1500)·10 = 7500 + 500 + 20000; cache write ignored
    assertThat(cost(Format.GOOGLE, "gemini-2.5-pro", 10_000L, 500L, 4000L, 999L, 1500L))
        .isCloseTo(0.028, within(EXACT));
  }

  @Test
  void googleLongContextTierOnBothSidesOfTheThreshold() {
    // 200000, not above: 199999·1.25 + 1·0.125 + 800·10 + 200·10 = 249998.75 + 0.125 + 10000 =
    // 259998.875
    assertThat(cost(Format.GOOGLE, "gemini-2.5-pro", 200_000L, 800L, 1L, null, 200L))
        .isCloseTo(0.259_998_875, within(EXACT));
    // 200001: 200000·2.5 + 1·0.25 (cache read scaled with input) + 1000·15
    assertThat(cost(Format.GOOGLE, "gemini-2.5-pro", 200_001L, 800L, 1L, null, 200L))
        .isCloseTo(0.515_000_25, within(EXACT));
  }

  @Test
  void cacheReadDefaultsToTheInputPrice() {
    // no cache_read in the entry: (1000 - 600)·2 + 600·2 + 10·8 = 2080
    assertThat(cost(Format.OPENAI, "plain-model", 1000L, 10L, 600L, null, null))
        .isCloseTo(0.002080, within(EXACT));
    ModelPrice entry = TABLE.find("plain-model", Format.ANTHROPIC);
    assertThat(entry.cacheRead()).isEqualTo(2.0);
    assertThat(entry.cacheWrite()).isEqualTo(2.0);
  }

  @Test
  void moreCacheReadThanInputBillsNoNegativeInput() {
    // (max(0, 100 - 300))·0.15 + 300·0.075 + 0 = 22.5
    assertThat(cost(Format.OPENAI, "gpt-4o-mini", 100L, 0L, 300L, null, null))
        .isCloseTo(0.0000225, within(EXACT));
  }

  @Test
  void zeroTokensCostZero() {
    assertThat(cost(Format.GOOGLE, "gemini-2.5-pro", 0L, 0L, 0L, 0L, 0L)).isEqualTo(0.0);
  }

  @Test
  void unknownModelIsNull() {
    assertThat(cost(Format.OPENAI, "llama-3-70b", 1000L, 100L, null, null, null)).isNull();
    assertThat(cost(Format.OPENAI, null, 1000L, 100L, null, null, null)).isNull();
  }

  @Test
  void entryForAnotherFormatIsNotUsed() {
    // claude-sonnet-4* is limited to the anthropic format
    assertThat(cost(Format.OPENAI, "claude-sonnet-4-5", 1000L, 100L, null, null, null)).isNull();
  }

  @Test
  void missingInputOrOutputIsNull() {
    assertThat(cost(Format.OPENAI, "gpt-4o-mini", null, 100L, null, null, null)).isNull();
    assertThat(cost(Format.ANTHROPIC, "claude-sonnet-4", 100L, null, 10L, 10L, null)).isNull();
    assertThat(cost(Format.GOOGLE, "gemini-2.5-pro", null, null, null, null, null)).isNull();
    assertThat(Cost.of(TABLE, Format.OPENAI, Usage.NONE)).isNull();
  }

  @Test
  void noPriceOrNoFormatIsNull() {
    assertThat(Cost.of(Format.OPENAI, null, 1L, 1L, null, null, null)).isNull();
    assertThat(Cost.of(null, TABLE.find("plain-model", null), 1L, 1L, null, null, null)).isNull();
  }

  @Test
  void emptyTableKnowsNoModel() {
    assertThat(
            Cost.of(
                PriceTable.EMPTY,
                Format.OPENAI,
                new Usage("gpt-4o", 1L, 1L, null, null, null, null, false)))
        .isNull();
  }
}
