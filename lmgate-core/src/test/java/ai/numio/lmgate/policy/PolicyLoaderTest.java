package ai.numio.lmgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.numio.lmgate.auth.AllowListEntry;
import ai.numio.lmgate.limit.Limit;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyLoaderTest {

  private static final Set<String> ROUTES = Set.of("openai", "anthropic", "gemini", "google");

  private static Policies parse(String yaml) {
    return PolicyLoader.parse(yaml, "policy.yaml", ROUTES);
  }

  private static List<String> problems(String yaml) {
    try {
      parse(yaml);
    } catch (PolicyException e) {
      return e.problems();
    }
    throw new AssertionError("expected problems");
  }

  /** The example shipped in config/ is valid and means what its comments say. */
  @Test
  void theShippedExampleIsValid() throws Exception {
    String yaml =
        java.nio.file.Files.readString(java.nio.file.Path.of("../config/policy.example.yaml"));
    Policies policies = parse(yaml);
    CallerPolicy batch = policies.forCaller(new AllowListEntry("8", "team-search", ""));
    assertThat(batch.modelAllowed("gpt-4o-mini-2024-07-18")).isTrue();
    assertThat(batch.modelAllowed("gpt-4o")).isFalse();
    assertThat(batch.expires()).isEqualTo(java.time.LocalDate.of(2027, 1, 31));
    assertThat(batch.limits())
        .contains(
            new Limit.Rate("key:8", Limit.Counted.REQUESTS, 30),
            new Limit.Rate("owner:team-search", Limit.Counted.REQUESTS, 600),
            new Limit.Budget("owner:team-search", Limit.Unit.USD, 50, Limit.Period.DAY));
    CallerPolicy other = policies.forCaller(new AllowListEntry("9", "team-other", ""));
    assertThat(other.modelAllowed("o3")).isTrue();
    assertThat(other.limits())
        .containsExactly(new Limit.Rate("key:9", Limit.Counted.REQUESTS, 120));
  }

  private static final String SPEC_EXAMPLE =
      "default:\n"
          + "  models: [\"*\"]\n"
          + "owners:\n"
          + "  team-alpha:\n"
          + "    models: [\"gpt-4o-mini*\", \"claude-*\"]\n"
          + "    routes: [openai, anthropic]\n"
          + "    rpm: 600\n"
          + "    tpm: 200000\n"
          + "    budget: { usd: 50, per: day }\n"
          + "keys:\n"
          + "  \"7\": { rpm: 10, expires: 2027-01-31 }\n";

  @Test
  void theSpecsExampleResolvesByPrecedence() {
    Policies policies = parse(SPEC_EXAMPLE);
    assertThat(policies.size()).isEqualTo(3);
    CallerPolicy seven = policies.forCaller(new AllowListEntry("7", "team-alpha", ""));
    assertThat(seven.hasModelRule()).isTrue();
    assertThat(seven.modelAllowed("claude-sonnet-4-5")).isTrue();
    assertThat(seven.modelAllowed("gpt-4o")).isFalse();
    assertThat(seven.routeAllowed("openai")).isTrue();
    assertThat(seven.routeAllowed("gemini")).isFalse();
    assertThat(seven.expired(Instant.parse("2027-01-31T23:59:59.999Z").toEpochMilli())).isFalse();
    assertThat(seven.expired(Instant.parse("2027-02-01T00:00:00Z").toEpochMilli())).isTrue();
    assertThat(seven.limits())
        .containsExactly(
            new Limit.Rate("key:7", Limit.Counted.REQUESTS, 10),
            new Limit.Rate("owner:team-alpha", Limit.Counted.REQUESTS, 600),
            new Limit.Rate("owner:team-alpha", Limit.Counted.TOKENS, 200000),
            new Limit.Budget("owner:team-alpha", Limit.Unit.USD, 50, Limit.Period.DAY));
    // cached: the same object for every request of the caller
    assertThat(policies.forCaller(new AllowListEntry("7", "team-alpha", ""))).isSameAs(seven);
    // a key of no rule and no owner rule: the default, which allows everything
    assertThat(policies.forCaller(new AllowListEntry("9", "other", "")))
        .isSameAs(CallerPolicy.UNRESTRICTED);
  }

  @Test
  void defaultLimitsArePerKeyAndAKeysOwnFieldReplacesTheDefaults() {
    Policies policies =
        parse(
            "default: { rpm: 60, budget: { tokens: 1000, per: month } }\n"
                + "keys:\n  '2': { rpm: 5 }\n");
    assertThat(policies.forCaller(new AllowListEntry("1", "o", "")).limits())
        .containsExactly(
            new Limit.Rate("key:1", Limit.Counted.REQUESTS, 60),
            new Limit.Budget("key:1", Limit.Unit.TOKENS, 1000, Limit.Period.MONTH));
    assertThat(policies.forCaller(new AllowListEntry("2", "o", "")).limits())
        .containsExactly(
            new Limit.Rate("key:2", Limit.Counted.REQUESTS, 5),
            new Limit.Budget("key:2", Limit.Unit.TOKENS, 1000, Limit.Period.MONTH));
  }

  @Test
  void anEmptyFileHasNoRules() {
    assertThat(parse("").size()).isZero();
    assertThat(parse("# nothing yet\n").forCaller(new AllowListEntry("1", "o", "")))
        .isSameAs(CallerPolicy.UNRESTRICTED);
  }

  @Test
  void everyProblemIsReportedWithFileAndLine() {
    assertThat(
            problems(
                "default:\n"
                    + "  modles: ['*']\n"
                    + "owners:\n"
                    + "  team-a:\n"
                    + "    rpm: 0\n"
                    + "    tpm: -5\n"
                    + "    budget: { usd: 5, tokens: 10, per: day }\n"
                    + "keys:\n"
                    + "  '1': { expires: 2027-02-30, models: ['gpt[4]'] }\n"
                    + "  '2': { budget: { usd: 1, per: week } }\n"
                    + "  '3': { rpm: 1.5, expires: tomorrow }\n"
                    + "extra: 1\n"))
        .containsExactly(
            "policy.yaml line 2: default: unknown key \"modles\"; valid keys are models, routes,"
                + " rpm, tpm, budget, expires",
            "policy.yaml line 5: owners: \"team-a\": rpm: must be greater than 0, got 0",
            "policy.yaml line 6: owners: \"team-a\": tpm: must be greater than 0, got -5",
            "policy.yaml line 7: owners: \"team-a\": budget: has both usd and tokens; give one"
                + " (two budgets: a list of two mappings)",
            "policy.yaml line 9: keys: \"1\": models: \"gpt[4]\" is not a valid glob: only *"
                + " (any run of characters) and ? (one character) are wildcards; '[' is not"
                + " allowed",
            "policy.yaml line 9: keys: \"1\": expires: \"2027-02-30\" is not a date of the"
                + " calendar",
            "policy.yaml line 10: keys: \"2\": budget: per: expected day or month, got \"week\"",
            "policy.yaml line 11: keys: \"3\": rpm: expected a whole number per minute, got"
                + " \"1.5\"",
            "policy.yaml line 11: keys: \"3\": expires: expected a date YYYY-MM-DD (the key is"
                + " valid through the end of that day, UTC), got \"tomorrow\"",
            "policy.yaml line 12: unknown key \"extra\"; valid keys are default, owners, keys");
  }

  @Test
  void moreShapeProblems() {
    assertThat(problems("- a\n")).singleElement().asString().contains("expected a mapping");
    assertThat(problems("keys:\n  '1': { models: gpt-4o }\n"))
        .singleElement()
        .asString()
        .contains("expected a list of model globs");
    assertThat(problems("keys:\n  '1': { budget: { usd: 1 } }\n"))
        .singleElement()
        .asString()
        .contains("per: is missing");
    assertThat(problems("keys:\n  '1': { budget: [{usd: 1, per: day}, {usd: 2, per: day}] }\n"))
        .singleElement()
        .asString()
        .contains("a second usd budget per day");
    assertThat(problems("keys:\n  '1': {}\n  '1': {}\n"))
        .singleElement()
        .asString()
        .contains("given twice");
    assertThat(problems("keys: [1]\n")).singleElement().asString().contains("allow-list ids");
    assertThatThrownBy(() -> parse("a: [\n"))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("policy.yaml line 2");
  }

  @Test
  void twoBudgetsAsAList() {
    Policies policies =
        parse("owners:\n  o: { budget: [{usd: 5, per: day}, {tokens: 100, per: month}] }\n");
    assertThat(policies.forCaller(new AllowListEntry("1", "o", "")).limits()).hasSize(2);
  }
}
