package ai.numio.lmgate.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.numio.lmgate.route.Format;
import org.junit.jupiter.api.Test;

/** Lookup: glob matching, precedence by order, the format filter. */
class PriceTableTest {

  private static PriceTable parse(String yaml) throws PriceTableException {
    return PriceTableLoader.parse(yaml, "test.yaml");
  }

  @Test
  void firstMatchingEntryWins() throws Exception {
    PriceTable table =
        parse(
            """
            models:
              - {model: "gpt-4o-mini*", input: 0.15, output: 0.6}
              - {model: "gpt-4o*", input: 2.5, output: 10}
              - {model: "*", input: 99, output: 99}
            """);
    assertThat(table.find("gpt-4o-mini-2024-07-18", Format.OPENAI).input()).isEqualTo(0.15);
    assertThat(table.find("gpt-4o-2024-08-06", Format.OPENAI).input()).isEqualTo(2.5);
    assertThat(table.find("gpt-4o", Format.OPENAI).input()).isEqualTo(2.5);
    assertThat(table.find("anything", Format.GOOGLE).input()).isEqualTo(99.0);

    PriceTable reversed =
        parse(
            """
            models:
              - {model: "gpt-4o*", input: 2.5, output: 10}
              - {model: "gpt-4o-mini*", input: 0.15, output: 0.6}
            """);
    assertThat(reversed.find("gpt-4o-mini", Format.OPENAI).input()).isEqualTo(2.5);
  }

  @Test
  void formatFilter() throws Exception {
    PriceTable table =
        parse(
            """
            models:
              - {model: "claude-*", format: anthropic, input: 3, output: 15}
              - {model: "claude-*", input: 4, output: 16}
            """);
    assertThat(table.find("claude-sonnet-4-5", Format.ANTHROPIC).input()).isEqualTo(3.0);
    assertThat(table.find("claude-sonnet-4-5", Format.OPENAI).input()).isEqualTo(4.0);
    assertThat(table.find("claude-sonnet-4-5", null).input()).isEqualTo(4.0);
  }

  @Test
  void globMatchesTheWholeNameIgnoringCase() throws Exception {
    PriceTable table =
        parse(
            """
            models:
              - {model: "o?-mini", input: 1.1, output: 4.4}
              - {model: "gpt-4o", input: 2.5, output: 10}
              - {model: "*flash*lite*", input: 0.1, output: 0.4}
            """);
    assertThat(table.find("o3-mini", Format.OPENAI)).isNotNull();
    assertThat(table.find("O4-MINI", Format.OPENAI)).isNotNull();
    assertThat(table.find("o-mini", Format.OPENAI)).isNull();
    assertThat(table.find("o10-mini", Format.OPENAI)).isNull();
    assertThat(table.find("gpt-4o-mini", Format.OPENAI)).isNull();
    assertThat(table.find("my-gpt-4o", Format.OPENAI)).isNull();
    assertThat(table.find("GPT-4o", Format.OPENAI)).isNotNull();
    assertThat(table.find("gemini-2.0-flash-lite-001", Format.GOOGLE).input()).isEqualTo(0.1);
    assertThat(table.find("gemini-2.0-flash", Format.GOOGLE)).isNull();
    assertThat(table.find("", Format.GOOGLE)).isNull();
    assertThat(table.find(null, Format.GOOGLE)).isNull();
  }

  @Test
  void globWildcards() {
    assertThat(Glob.of("*").matches("")).isTrue();
    assertThat(Glob.of("a*b*c").matches("abc")).isTrue();
    assertThat(Glob.of("a*b*c").matches("axxbyyc")).isTrue();
    assertThat(Glob.of("a*b*c").matches("axxbyycd")).isFalse();
    assertThat(Glob.of("a*b?c").matches("abbbxc")).isTrue();
    assertThat(Glob.of("a.b").matches("axb")).isFalse();
    assertThat(Glob.of("**x").matches("x")).isTrue();
    assertThatThrownBy(() -> Glob.of("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Glob.of("gpt-[45]o")).hasMessageContaining("'['");
  }

  @Test
  void longContextCachePricesFollowTheInputPriceUnlessGiven() throws Exception {
    PriceTable table =
        parse(
            """
            models:
              - model: a
                input: 1.25
                output: 10
                cache_read: 0.125
                long_context: {above_input_tokens: 200000, input: 2.5, output: 15}
              - model: b
                input: 3
                output: 15
                cache_read: 0.3
                cache_write: 3.75
                long_context:
                  above_input_tokens: 200000
                  input: 6
                  output: 22.5
                  cache_read: 0.5
                  cache_write: 7
            """);
    ModelPrice.LongContext a = table.find("a", null).longContext();
    assertThat(a).isEqualTo(new ModelPrice.LongContext(200_000, 2.5, 15, 0.25, 2.5));
    ModelPrice.LongContext b = table.find("b", null).longContext();
    assertThat(b).isEqualTo(new ModelPrice.LongContext(200_000, 6, 22.5, 0.5, 7));
  }

  @Test
  void emptyListIsAnEmptyTable() throws Exception {
    PriceTable table = parse("models: []\n");
    assertThat(table.entries()).isEmpty();
    assertThat(table.find("gpt-4o", Format.OPENAI)).isNull();
  }

  @Test
  void entriesKeepTheirOrigin() throws Exception {
    PriceTable table = parse("# prices\nmodels:\n  - model: x\n    input: 1\n    output: 2\n");
    assertThat(table.entries())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.origin()).isEqualTo("test.yaml line 3");
              assertThat(e.format()).isNull();
              assertThat(e.longContext()).isNull();
            });
    assertThat(table.source()).isEqualTo("test.yaml");
  }
}
