package ai.numio.lmgate.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every mistake in a price file is reported at once, each naming file and line. */
class PriceTableLoaderTest {

  private static List<String> problems(String yaml) {
    PriceTableException e =
        catchThrowableOfType(
            () -> PriceTableLoader.parse(yaml, "prices.yaml"), PriceTableException.class);
    assertThat(e).as("expected the file to be refused").isNotNull();
    assertThat(e.getMessage()).isEqualTo(String.join("\n", e.problems()));
    return e.problems();
  }

  @Test
  void everyProblemAtOnceWithFileAndLine() {
    List<String> problems =
        problems(
            """
            models:
              - model: "gpt-4o*"
                input: -1
                output: 10
                cached: 1.25
              - input: 1
                output: 2
              - model: "claude-*"
                format: bedrock
                output: 15
              - model: "gpt-[45]o"
                input: 1
                output: 1
              - model: "gemini-*"
                input: 1.25
                output: 10
                long_context:
                  above_input_tokens: 200000.5
                  input: 2.5
            """);
    assertThat(problems)
        .containsExactly(
            "prices.yaml line 3: models entry 1 (\"gpt-4o*\"): input: must not be negative, got -1",
            "prices.yaml line 5: models entry 1: unknown key \"cached\"; valid keys are model,"
                + " format, input, output, cache_read, cache_write, long_context",
            "prices.yaml line 6: models entry 2: model: is missing (the glob on the record's"
                + " model)",
            "prices.yaml line 8: models entry 3 (\"claude-*\"): input: is missing (USD per 1"
                + " million tokens)",
            "prices.yaml line 9: models entry 3 (\"claude-*\"): format: expected one of openai,"
                + " anthropic, google, got \"bedrock\"",
            "prices.yaml line 11: models entry 4: model: \"gpt-[45]o\" is not a valid glob: only *"
                + " (any run of characters) and ? (one character) are wildcards; '[' is not"
                + " allowed",
            "prices.yaml line 18: models entry 5 (\"gemini-*\"): long_context: above_input_tokens:"
                + " expected a whole number of tokens, got 200000.5",
            "prices.yaml line 18: models entry 5 (\"gemini-*\"): long_context: output: is missing"
                + " (USD per 1 million tokens)");
  }

  @Test
  void unknownTopLevelKeyListsTheValidOnes() {
    assertThat(problems("model:\n  - {model: a, input: 1, output: 1}\n"))
        .containsExactly(
            "prices.yaml line 1: unknown key \"model\"; valid keys are models",
            "prices.yaml line 1: no models: list (the entries of the price table)");
  }

  @Test
  void wrongShapes() {
    assertThat(problems(""))
        .containsExactly("prices.yaml line 1: the file is empty; expected a models: list");
    assertThat(problems("# only a comment\n"))
        .containsExactly("prices.yaml line 1: the file is empty; expected a models: list");
    assertThat(problems("- a\n"))
        .containsExactly("prices.yaml line 1: expected a mapping with the key models:, got a list");
    assertThat(problems("models:\n"))
        .containsExactly(
            "prices.yaml line 1: models: expected a list of entries (- model: ...), got no"
                + " value");
    assertThat(problems("models:\n  - gpt-4o\n"))
        .containsExactly(
            "prices.yaml line 2: models entry 1: expected a mapping (model:, input:, output:"
                + " ...), got \"gpt-4o\"");
    assertThat(
            problems("models:\n  - model: a\n    input: 1\n    output: 1\n    long_context: 5\n"))
        .containsExactly(
            "prices.yaml line 5: models entry 1 (\"a\"): long_context: expected a mapping of"
                + " above_input_tokens, input, output, cache_read, cache_write, got \"5\"");
  }

  @Test
  void badValues() {
    assertThat(
            problems(
                """
                models:
                  - model: a
                    input: cheap
                    output: true
                    cache_read:
                    cache_write: .inf
                  - model: [x]
                    input: 1
                    output: 1e400
                  - model: "  b"
                    input: 1
                    output: 1
                    long_context: {above_input_tokens: -1, input: 1, output: 1}
                """))
        .containsExactly(
            "prices.yaml line 3: models entry 1 (\"a\"): input: expected a price in USD per 1"
                + " million tokens, got \"cheap\"",
            "prices.yaml line 4: models entry 1 (\"a\"): output: expected a price in USD per 1"
                + " million tokens, got \"true\"",
            "prices.yaml line 5: models entry 1 (\"a\"): cache_read: expected a price in USD per"
                + " 1 million tokens, got no value",
            "prices.yaml line 6: models entry 1 (\"a\"): cache_write: expected a price in USD per"
                + " 1 million tokens, got \".inf\"",
            "prices.yaml line 7: models entry 2: model: expected a glob such as \"gpt-4o*\", got"
                + " a list",
            "prices.yaml line 9: models entry 2: output: is too large, got 1e400",
            "prices.yaml line 10: models entry 3: model: \"  b\" is not a valid glob: must not"
                + " start or end with blanks",
            "prices.yaml line 13: models entry 3: long_context: above_input_tokens: must not be"
                + " negative, got -1");
  }

  @Test
  void duplicateKeysAndUnreachableEntries() {
    assertThat(
            problems(
                """
                models:
                  - model: a
                    input: 1
                    input: 2
                    output: 1
                  - {model: "GPT-4o*", format: openai, input: 1, output: 1}
                  - {model: "gpt-4o*", format: openai, input: 2, output: 2}
                  - {model: "gpt-4o*", input: 2, output: 2}
                """))
        .containsExactly(
            "prices.yaml line 4: models entry 1: input: given twice (also at line 3)",
            "prices.yaml line 7: model \"gpt-4o*\" with format openai is never used: the entry at"
                + " prices.yaml line 6 matches the same models first");
  }

  @Test
  void yamlSyntaxErrorNamesLineAndColumn() {
    assertThat(problems("models:\n  - model: \"a\n    input: 1\n"))
        .singleElement()
        .asString()
        .startsWith("prices.yaml line ")
        .contains("invalid YAML");
    assertThat(problems("models: [\n  {model: a, input: 1, output: 1},\n  oops: [\n"))
        .singleElement()
        .asString()
        .matches("prices\\.yaml line \\d+, column \\d+: invalid YAML: .*");
  }

  @Test
  void numbersInOtherSpellingsAreAccepted() throws Exception {
    PriceTable table =
        PriceTableLoader.parse(
            "models:\n  - {model: a, input: \"0.15\", output: 10, cache_read: 0,"
                + " long_context: {above_input_tokens: 200_000, input: 1.5e-1, output: +10}}\n",
            "prices.yaml");
    ModelPrice a = table.find("a", null);
    assertThat(a.input()).isEqualTo(0.15);
    assertThat(a.cacheRead()).isEqualTo(0.0);
    assertThat(a.longContext().aboveInputTokens()).isEqualTo(200_000L);
    assertThat(a.longContext().input()).isEqualTo(0.15);
  }

  @Test
  void fileProblemsNameTheFile(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("nope.yaml");
    assertThat(
            catchThrowableOfType(
                    () -> PriceTableLoader.load(missing, "conf/nope.yaml"),
                    PriceTableException.class)
                .problems())
        .containsExactly("conf/nope.yaml: the price file does not exist");

    Path latin1 = dir.resolve("latin1.yaml");
    Files.write(
        latin1,
        "models:\n  - {model: caf\u00e9, input: 1, output: 1}\n"
            .getBytes(StandardCharsets.ISO_8859_1));
    assertThat(
            catchThrowableOfType(() -> PriceTableLoader.load(latin1), PriceTableException.class)
                .problems())
        .containsExactly(latin1 + " line 2: not valid UTF-8; save the file as UTF-8");

    Path big = dir.resolve("big.yaml");
    Files.write(big, new byte[(int) ai.numio.lmgate.text.YamlText.MAX_BYTES + 1]);
    assertThat(catchThrowableOfType(() -> PriceTableLoader.load(big), PriceTableException.class))
        .hasMessageContaining("too large for a price file");

    Path good = dir.resolve("good.yaml");
    Files.writeString(good, "\uFEFFmodels:\n  - {model: a, input: 1, output: 1}\n");
    assertThat(PriceTableLoader.load(good).entries()).hasSize(1);
  }

  @Test
  void longMessagesAreCapped() {
    StringBuilder yaml = new StringBuilder("models:\n");
    for (int i = 0; i < 60; i++) {
      yaml.append("  - {model: m").append(i).append(", input: -1, output: 1}\n");
    }
    PriceTableException e =
        catchThrowableOfType(
            () -> PriceTableLoader.parse(yaml.toString(), "p.yaml"), PriceTableException.class);
    assertThat(e.problems()).hasSize(60);
    assertThat(e.getMessage()).endsWith("... and 10 more problems");
  }
}
