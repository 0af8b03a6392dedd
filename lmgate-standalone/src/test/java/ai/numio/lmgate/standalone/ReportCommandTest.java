package ai.numio.lmgate.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The stats files under src/test/resources/report: two rotated and the live one. */
  private static final List<String> FIXTURES =
      List.of("stats.jsonl", "stats.jsonl.20260216110000", "stats.jsonl.20260216110000-1");

  /** The fixtures' aggregates, worked out by hand from their records. */
  private static final String FIXTURE_JSON =
      """
      {
        "files": ["data/stats.jsonl.20260216110000", "data/stats.jsonl.20260216110000-1",
                  "data/stats.jsonl"],
        "by": ["owner", "provider", "model"],
        "records": 7,
        "outside_period": 0,
        "malformed_lines": 2,
        "first_malformed": {"file": "data/stats.jsonl", "line": 2},
        "first_timestamp": "2026-02-16T10:15:02.120Z",
        "last_timestamp": "2026-02-16T11:30:00.250Z",
        "rows": [
          {"owner": "alice", "provider": "anthropic", "model": "claude-sonnet-4-5-20250929",
           "requests": 2, "errors": 0, "input_tokens": 2058, "output_tokens": 2012,
           "cache_read_tokens": 1800, "cache_write_tokens": 248, "reasoning_tokens": 0,
           "cost_usd": null, "unpriced_records": 2},
          {"owner": "alice", "provider": "openai", "model": "gpt-4o-2024-08-06",
           "requests": 2, "errors": 0, "input_tokens": 2000, "output_tokens": 125,
           "cache_read_tokens": 1024, "cache_write_tokens": 0, "reasoning_tokens": 0,
           "cost_usd": null, "unpriced_records": 2},
          {"owner": "bob", "provider": "anthropic", "model": "claude-haiku-4-5-20251001",
           "requests": 1, "errors": 1, "input_tokens": 50, "output_tokens": 3,
           "cache_read_tokens": 0, "cache_write_tokens": 0, "reasoning_tokens": 0,
           "cost_usd": null, "unpriced_records": 1},
          {"owner": "bob", "provider": "openai", "model": null,
           "requests": 1, "errors": 1, "input_tokens": 0, "output_tokens": 0,
           "cache_read_tokens": 0, "cache_write_tokens": 0, "reasoning_tokens": 0,
           "cost_usd": null, "unpriced_records": 1},
          {"owner": "bob", "provider": "openai", "model": "o3-mini-2025-01-31",
           "requests": 1, "errors": 0, "input_tokens": 300, "output_tokens": 900,
           "cache_read_tokens": 0, "cache_write_tokens": 0, "reasoning_tokens": 640,
           "cost_usd": null, "unpriced_records": 1}
        ],
        "subtotals": [
          {"owner": "alice", "requests": 4, "errors": 0, "input_tokens": 4058,
           "output_tokens": 2137, "cache_read_tokens": 2824, "cache_write_tokens": 248,
           "reasoning_tokens": 0, "cost_usd": null, "unpriced_records": 4},
          {"owner": "bob", "requests": 3, "errors": 2, "input_tokens": 350,
           "output_tokens": 903, "cache_read_tokens": 0, "cache_write_tokens": 0,
           "reasoning_tokens": 640, "cost_usd": null, "unpriced_records": 3}
        ],
        "total": {"requests": 7, "errors": 2, "input_tokens": 4408, "output_tokens": 3040,
                  "cache_read_tokens": 2824, "cache_write_tokens": 248, "reasoning_tokens": 640,
                  "cost_usd": null, "unpriced_records": 7}
      }
      """;

  @TempDir Path workingDir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return run(new ByteArrayInputStream(new byte[0]), args);
  }

  private int run(InputStream stdin, String... args) {
    return run(Map.of(), stdin, args);
  }

  private int run(Map<String, String> env, InputStream stdin, String... args) {
    return ReportCommand.run(
            List.of(args),
            stdin,
            new PrintStream(out, true, UTF_8),
            new PrintStream(err, true, UTF_8),
            workingDir,
            env)
        .status();
  }

  private String out() {
    return out.toString(UTF_8);
  }

  private String err() {
    return err.toString(UTF_8);
  }

  private JsonNode outJson() throws IOException {
    return MAPPER.readTree(out());
  }

  private void copyFixtures(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String name : FIXTURES) {
      try (InputStream in = ReportCommandTest.class.getResourceAsStream("/report/" + name)) {
        assertThat(in).as(name).isNotNull();
        Files.copy(in, dir.resolve(name));
      }
    }
  }

  private Path write(String name, String content) throws IOException {
    Path file = workingDir.resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content);
  }

  private static String record(
      String timestamp,
      String owner,
      String provider,
      String model,
      String errorType,
      String tokens) {
    return String.format(
        Locale.ROOT,
        "{\"timestamp\":\"%s\",\"lmgate_id\":\"1\",\"provider\":\"%s\",\"endpoint\":\"/%s/v1/x\","
            + "\"model\":%s,\"status\":%d,%s,\"masked_key\":\"a1B2c3\",\"error_type\":%s,"
            + "\"owner\":\"%s\",\"method\":\"POST\",\"stream\":false,\"duration_ms\":100,"
            + "\"ttfb_ms\":90,\"cache_write_tokens\":null,\"upstream_request_id\":null}\n",
        timestamp,
        provider,
        provider,
        model == null ? "null" : "\"" + model + "\"",
        errorType == null ? 200 : 529,
        tokens,
        errorType == null ? "null" : "\"" + errorType + "\"",
        owner);
  }

  @Test
  void defaultFilesAreTheLiveFileAndItsRotatedSiblingsSummedExactly() throws IOException {
    copyFixtures(workingDir.resolve("data"));

    assertThat(run("--format", "json")).isZero();

    assertThat(err()).isEmpty();
    assertThat(outJson()).isEqualTo(MAPPER.readTree(FIXTURE_JSON));
  }

  @Test
  void textReportOfTheFixturesEndsWithTheCounts() throws IOException {
    copyFixtures(workingDir.resolve("data"));

    assertThat(run()).isZero();

    assertThat(out())
        .contains("bob    openai     -                                  1       1             0")
        .endsWith(
            """
            -----  ---------  --------------------------  --------  ------  ------------  -------------  -----------------  ------------------  ----------------  --------  --------
            (all)  (total)                                       7       2          4408           3040               2824                 248               640         -         7

            files read:      3
            records:         7
            unpriced:        7 (no cost_usd: a model without a price, or a file older than cost_usd)
            malformed lines: 2 (first: data/stats.jsonl line 2)
            time span:       2026-02-16T10:15:02.120Z .. 2026-02-16T11:30:00.250Z
            """);
  }

  @Test
  void textTableOfASmallCase() throws IOException {
    write(
        "usage.jsonl",
        record(
                "2026-02-16T12:00:00.000Z",
                "team",
                "openai",
                "gpt-4o",
                null,
                "\"input_tokens\":1200,\"output_tokens\":85,\"cache_read_tokens\":1024,"
                    + "\"reasoning_tokens\":null")
            + record(
                "2026-02-16T12:00:05.250Z",
                "team",
                "anthropic",
                null,
                "overloaded_error",
                "\"input_tokens\":null,\"output_tokens\":null,\"cache_read_tokens\":null,"
                    + "\"reasoning_tokens\":null"));

    assertThat(run("usage.jsonl")).isZero();

    assertThat(err()).isEmpty();
    assertThat(out())
        .isEqualTo(
            """
            owner  provider   model   requests  errors  input tokens  output tokens  cache read tokens  cache write tokens  reasoning tokens  cost usd  unpriced
            team   anthropic  -              1       1             0              0                  0                   0                 0         -         1
            team   openai     gpt-4o         1       0          1200             85               1024                   0                 0         -         1
            -----  ---------  ------  --------  ------  ------------  -------------  -----------------  ------------------  ----------------  --------  --------
            team   (total)                   2       1          1200             85               1024                   0                 0         -         2
            -----  ---------  ------  --------  ------  ------------  -------------  -----------------  ------------------  ----------------  --------  --------
            (all)  (total)                   2       1          1200             85               1024                   0                 0         -         2

            files read:      1
            records:         2
            unpriced:        2 (no cost_usd: a model without a price, or a file older than cost_usd)
            malformed lines: 0
            time span:       2026-02-16T12:00:00.000Z .. 2026-02-16T12:00:05.250Z
            """);
  }

  /** Priced records over two days; costs as the gateway writes them. */
  private static final String PRICED =
      """
      {"timestamp":"2026-02-16T09:00:00.000Z","lmgate_id":"1","provider":"anthropic","model":"claude-sonnet-4-5","input_tokens":217,"output_tokens":419,"error_type":null,"owner":"team-a","cache_read_tokens":6142,"cache_write_tokens":1913,"reasoning_tokens":null,"cost_usd":0.01595235}
      {"timestamp":"2026-02-16T23:59:59.999Z","lmgate_id":"2","provider":"openai","model":"gpt-4o-mini","input_tokens":1117,"output_tokens":233,"error_type":null,"owner":"team-b","cache_read_tokens":1024,"cache_write_tokens":null,"reasoning_tokens":0,"cost_usd":0.00023055}
      {"timestamp":"2026-02-17T00:00:00.000Z","lmgate_id":"1","provider":"anthropic","model":"claude-sonnet-4-5","input_tokens":58,"output_tokens":264,"error_type":null,"owner":"team-a","cache_read_tokens":7733,"cache_write_tokens":2941,"reasoning_tokens":null,"cost_usd":0.01748265}
      {"timestamp":"2026-02-17T08:00:00.000Z","lmgate_id":"2","provider":"openai","model":"gpt-4.1-nano","input_tokens":1549,"output_tokens":73,"error_type":null,"owner":"team-b","cache_read_tokens":1408,"cache_write_tokens":null,"reasoning_tokens":0,"cost_usd":null}
      """;

  @Test
  void tableByOwnerWithCostAndUnpricedForOneDay() throws IOException {
    write("usage.jsonl", PRICED);

    assertThat(
            run("--by", "owner", "--since", "2026-02-16", "--until", "2026-02-16", "usage.jsonl"))
        .isZero();

    assertThat(err()).isEmpty();
    assertThat(out())
        .isEqualTo(
            """
            owner    requests  errors  input tokens  output tokens  cache read tokens  cache write tokens  reasoning tokens  cost usd  unpriced
            team-a          1       0           217            419               6142                1913                 0  0.015952         0
            team-b          1       0          1117            233               1024                   0                 0  0.000231         0
            -------  --------  ------  ------------  -------------  -----------------  ------------------  ----------------  --------  --------
            (total)         2       0          1334            652               7166                1913                 0  0.016183         0

            files read:      1
            records:         2
            outside period:  2
            unpriced:        0
            malformed lines: 0
            time span:       2026-02-16T09:00:00.000Z .. 2026-02-16T23:59:59.999Z
            """);
  }

  @Test
  void csvByDayAndModelHasExactCostsAndUnpricedCounts() throws IOException {
    write("usage.jsonl", PRICED + "not json\n");

    assertThat(run("--format", "csv", "--by", "day,model", "usage.jsonl")).isZero();

    // 2026-02-17 sonnet: 0.01748265; nano has no cost_usd: empty cost, 1 unpriced
    assertThat(out())
        .isEqualTo(
            "day,model,requests,errors,input_tokens,output_tokens,cache_read_tokens,"
                + "cache_write_tokens,reasoning_tokens,cost_usd,unpriced_records\n"
                + "2026-02-16,claude-sonnet-4-5,1,0,217,419,6142,1913,0,0.01595235,0\n"
                + "2026-02-16,gpt-4o-mini,1,0,1117,233,1024,0,0,0.00023055,0\n"
                + "2026-02-17,claude-sonnet-4-5,1,0,58,264,7733,2941,0,0.01748265,0\n"
                + "2026-02-17,gpt-4.1-nano,1,0,1549,73,1408,0,0,,1\n");
    assertThat(err())
        .isEqualTo("lmgate report: 1 malformed lines skipped (first: usage.jsonl line 5)\n");
  }

  @Test
  void jsonTotalsCostExactly() throws IOException {
    write("usage.jsonl", PRICED);

    assertThat(run("--format", "json", "--by", "key", "usage.jsonl")).isZero();

    JsonNode json = outJson();
    // key 1: 0.01595235 + 0.01748265 = 0.033435; all: + 0.00023055 = 0.03366555
    assertThat(json.get("rows").get(0).toString())
        .isEqualTo(
            "{\"key\":\"1\",\"requests\":2,\"errors\":0,\"input_tokens\":275,"
                + "\"output_tokens\":683,\"cache_read_tokens\":13875,\"cache_write_tokens\":4854,"
                + "\"reasoning_tokens\":0,\"cost_usd\":0.033435,\"unpriced_records\":0}");
    assertThat(json.get("rows").get(1).get("cost_usd").decimalValue())
        .isEqualByComparingTo("0.00023055");
    assertThat(json.get("rows").get(1).get("unpriced_records").asLong()).isEqualTo(1);
    assertThat(json.get("subtotals")).isEmpty();
    assertThat(out()).contains("\"cost_usd\" : 0.03366555,");
  }

  @Test
  void anInvalidPeriodIsAUsageErrorNamingTheValue() {
    assertThat(run("--until", "2026-13-01")).isEqualTo(2);
    assertThat(err())
        .startsWith(
            "lmgate report: --until '2026-13-01' is not an ISO date (2026-02-16) or date-time"
                + " (2026-02-16T12:00:00Z)\n");
    assertThat(out()).isEmpty();
  }

  @Test
  void emptyFileHasNoRecords() throws IOException {
    write("empty.jsonl", "");

    assertThat(run("empty.jsonl")).isZero();

    assertThat(out())
        .isEqualTo(
            """
            No usage records.

            files read:      1
            records:         0
            unpriced:        0
            malformed lines: 0
            time span:       -
            """);
  }

  @Test
  void controlCharactersInNamesAreEscapedInTheTable() throws IOException {
    write(
        "usage.jsonl",
        "{\"owner\":\"team\",\"provider\":\"openai\",\"model\":\"gpt\\u001b[2Jx\",\"input_tokens\":1}\n");

    assertThat(run("usage.jsonl")).isZero();

    assertThat(out())
        .contains("team   openai    gpt\\u001b[2Jx         1")
        .doesNotContain("\u001b");
  }

  @Test
  void namedFilesAreReadInTheGivenOrderRelativeToTheWorkingDirectory() throws IOException {
    Path data = workingDir.resolve("archive");
    copyFixtures(data);
    // A default file that must not be read when files are named.
    write(
        "data/stats.jsonl",
        record("2020-01-01T00:00:00.000Z", "x", "openai", "m", null, "\"input_tokens\":1"));

    assertThat(
            run(
                "--format=json",
                "archive/stats.jsonl",
                data.resolve("stats.jsonl.20260216110000").toString()))
        .isZero();

    JsonNode json = outJson();
    assertThat(json.get("files"))
        .isEqualTo(
            MAPPER
                .createArrayNode()
                .add("archive/stats.jsonl")
                .add(data.resolve("stats.jsonl.20260216110000").toString()));
    assertThat(json.get("records").asLong()).isEqualTo(5);
    assertThat(json.get("malformed_lines").asLong()).isEqualTo(2);
    assertThat(json.get("total").get("input_tokens").asLong())
        .isEqualTo(10 + 50 + 1200 + 2048 + 300);
    assertThat(json.get("first_timestamp").asText()).isEqualTo("2026-02-16T10:15:02.120Z");
  }

  @Test
  void decoysNextToTheStatsFileAreNotRead() throws IOException {
    String one = record("2026-02-16T12:00:00.000Z", "t", "openai", "m", null, "\"input_tokens\":1");
    write("data/stats.jsonl", one);
    write("data/stats.jsonl.bak", one);
    write("data/stats.jsonl.20260216110000.gz", one);
    write("data/other.jsonl.20260216110000", one);

    assertThat(run("--format", "json")).isZero();

    assertThat(outJson().get("files")).isEqualTo(MAPPER.createArrayNode().add("data/stats.jsonl"));
    assertThat(outJson().get("records").asLong()).isEqualTo(1);
  }

  @Test
  void rotatedFilesAreReadWhenTheLiveFileIsMissing() throws IOException {
    copyFixtures(workingDir.resolve("data"));
    Files.delete(workingDir.resolve("data/stats.jsonl"));

    assertThat(run("--format", "json")).isZero();

    assertThat(outJson().get("files"))
        .isEqualTo(
            MAPPER
                .createArrayNode()
                .add("data/stats.jsonl.20260216110000")
                .add("data/stats.jsonl.20260216110000-1"));
    assertThat(outJson().get("records").asLong()).isEqualTo(5);
  }

  @Test
  void statsOutputPathFromTheEnvironmentIsTheDefault() throws IOException {
    copyFixtures(workingDir.resolve("var/lmgate"));

    int code =
        run(
            Map.of("LMGATE_STATS__OUTPUT_PATH", "var/lmgate/stats.jsonl"),
            new ByteArrayInputStream(new byte[0]),
            "--format",
            "json");

    assertThat(code).isZero();
    assertThat(outJson().get("files").get(2).asText()).isEqualTo("var/lmgate/stats.jsonl");
    assertThat(outJson().get("records").asLong()).isEqualTo(7);
  }

  @Test
  void standardInputIsReadForDash() throws IOException {
    String lines =
        record("2026-02-16T12:00:00.000Z", "t", "openai", "m", null, "\"input_tokens\":3")
            + "garbage\n";

    assertThat(run(new ByteArrayInputStream(lines.getBytes(UTF_8)), "--format", "json", "-"))
        .isZero();

    JsonNode json = outJson();
    assertThat(json.get("files")).isEqualTo(MAPPER.createArrayNode().add("(standard input)"));
    assertThat(json.get("records").asLong()).isEqualTo(1);
    assertThat(json.get("first_malformed"))
        .isEqualTo(MAPPER.readTree("{\"file\":\"(standard input)\",\"line\":2}"));
  }

  @Test
  void lineLongerThanTheLimitIsMalformed() throws IOException {
    String huge = "{\"owner\":\"" + "x".repeat(ReportCommand.MAX_LINE_BYTES) + "\"}\n";
    String ok = record("2026-02-16T12:00:00.000Z", "t", "openai", "m", null, "\"input_tokens\":3");
    write("usage.jsonl", ok + huge + ok);

    assertThat(run("--format", "json", "usage.jsonl")).isZero();

    JsonNode json = outJson();
    assertThat(json.get("records").asLong()).isEqualTo(2);
    assertThat(json.get("malformed_lines").asLong()).isEqualTo(1);
    assertThat(json.get("first_malformed").get("line").asLong()).isEqualTo(2);
    assertThat(json.get("total").get("input_tokens").asLong()).isEqualTo(6);
  }

  @Test
  void missingNamedFileIsRuntimeFailureNamingIt() throws IOException {
    write("present.jsonl", "");

    assertThat(run("present.jsonl", "data/nope.jsonl")).isEqualTo(1);

    assertThat(err()).isEqualTo("lmgate report: data/nope.jsonl: no such file\n");
    assertThat(out()).isEmpty();
  }

  @Test
  void directoryIsNotAStatsFile() throws IOException {
    Files.createDirectories(workingDir.resolve("data"));

    assertThat(run("data")).isEqualTo(1);

    assertThat(err())
        .isEqualTo("lmgate report: data: is a directory; name the stats files in it\n");
  }

  @Test
  void noDefaultFileIsRuntimeFailureNamingThePath() {
    assertThat(run()).isEqualTo(1);

    Path expected = workingDir.resolve("data/stats.jsonl").toAbsolutePath().normalize();
    assertThat(err())
        .isEqualTo(
            "lmgate report: no stats file found at "
                + expected
                + " (nor rotated stats.jsonl.<yyyyMMddHHmmss> files); name the files to"
                + " summarise\n");
    assertThat(out()).isEmpty();
  }

  @Test
  void unknownOptionIsUsageError() {
    assertThat(run("--after", "2026-01-01")).isEqualTo(2);

    assertThat(err())
        .isEqualTo(
            "lmgate report: unknown option '--after'\n"
                + "Usage: lmgate report [--by DIMENSION ...] [--since WHEN] [--until WHEN]"
                + " [--format table|csv|json] [FILE ...]   (see lmgate report --help)\n");
    assertThat(out()).isEmpty();
  }

  @Test
  void badFormatValuesAreUsageErrors() {
    assertThat(run("--format", "xml")).isEqualTo(2);
    assertThat(err()).startsWith("lmgate report: unknown --format 'xml'; use table, csv or json\n");
    err.reset();
    assertThat(run("--format")).isEqualTo(2);
    assertThat(err()).startsWith("lmgate report: --format needs a value: table, csv or json\n");
    err.reset();
    assertThat(run("--format=")).isEqualTo(2);
    assertThat(err()).startsWith("lmgate report: unknown --format ''; use table, csv or json\n");
    err.reset();
    assertThat(run("-", "-")).isEqualTo(2);
    assertThat(err()).startsWith("lmgate report: standard input (-) can be read only once\n");
    assertThat(out()).isEmpty();
  }

  @Test
  void doubleDashEndsOptions() throws IOException {
    write(
        "-odd.jsonl",
        record("2026-02-16T12:00:00.000Z", "t", "openai", "m", null, "\"input_tokens\":3"));

    assertThat(run("--format", "json", "--", "-odd.jsonl")).isZero();

    assertThat(outJson().get("records").asLong()).isEqualTo(1);
  }

  @Test
  void helpPrintsUsage() {
    assertThat(run("--help")).isZero();
    assertThat(out()).isEqualTo(ReportCommand.USAGE);
    out.reset();
    assertThat(run("data/x.jsonl", "-h")).isZero();
    assertThat(out()).isEqualTo(ReportCommand.USAGE).startsWith("Usage: lmgate report ");
    assertThat(err()).isEmpty();
  }

  @Test
  void largeFileIsSummarisedLineByLine() throws IOException {
    int n = 200_000;
    String[] owners = {"alice", "bob", "carol"};
    String[] models = {"gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18"};
    long input = 0;
    long output = 0;
    long reasoning = 0;
    long errors = 0;
    long carolRequests = 0;
    Path file = workingDir.resolve("big.jsonl");
    try (BufferedWriter w = Files.newBufferedWriter(file, UTF_8)) {
      for (int i = 0; i < n; i++) {
        boolean error = i % 50 == 0;
        long in = 100 + i % 1000;
        long out = 10 + i % 97;
        Long reason = i % 3 == 0 ? null : (long) (i % 7);
        input += in;
        output += out;
        reasoning += reason == null ? 0 : reason;
        errors += error ? 1 : 0;
        carolRequests += owners[i % 3].equals("carol") ? 1 : 0;
        w.write(
            record(
                String.format(
                    Locale.ROOT,
                    "2026-02-16T%02d:%02d:%02d.000Z",
                    i / 3600 % 24,
                    i / 60 % 60,
                    i % 60),
                owners[i % 3],
                "openai",
                models[i % 2],
                error ? "rate_limit_exceeded" : null,
                "\"input_tokens\":"
                    + in
                    + ",\"output_tokens\":"
                    + out
                    + ",\"cache_read_tokens\":0,\"reasoning_tokens\":"
                    + reason));
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    assertThat(Files.size(file)).isGreaterThan(50L * 1024 * 1024);

    assertThat(run("--format", "json", "big.jsonl")).isZero();

    JsonNode json = outJson();
    assertThat(json.get("records").asLong()).isEqualTo(n);
    assertThat(json.get("malformed_lines").asLong()).isZero();
    assertThat(json.get("rows")).hasSize(6);
    assertThat(json.get("subtotals").get(2).get("owner").asText()).isEqualTo("carol");
    assertThat(json.get("subtotals").get(2).get("requests").asLong()).isEqualTo(carolRequests);
    JsonNode total = json.get("total");
    assertThat(total.get("requests").asLong()).isEqualTo(n);
    assertThat(total.get("errors").asLong()).isEqualTo(errors);
    assertThat(total.get("input_tokens").asLong()).isEqualTo(input);
    assertThat(total.get("output_tokens").asLong()).isEqualTo(output);
    assertThat(total.get("reasoning_tokens").asLong()).isEqualTo(reasoning);
    assertThat(json.get("first_timestamp").asText()).isEqualTo("2026-02-16T00:00:00.000Z");
    assertThat(json.get("last_timestamp").asText()).isEqualTo("2026-02-16T23:59:59.000Z");
  }
}
