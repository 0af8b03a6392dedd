package ai.numio.lmgate.auth;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class AllowListLoaderTest {

  private static final String ALPHA_KEY = "sk-proj-alpha-key-00000000000000001";
  private static final String GAMMA_KEY = "sk-ant-api03-gamma-key-000000000003";

  @TempDir Path dir;

  private final Logger logger = (Logger) LoggerFactory.getLogger(AllowListLoader.class);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void captureLogs() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    logger.detachAppender(logs);
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(AllowListLoaderTest.class.getResource("/auth/" + name).toURI());
  }

  private Path write(String content) throws IOException {
    return Files.write(dir.resolve("allowlist.csv"), content.getBytes(UTF_8));
  }

  private static List<String> problems(Path file) {
    return catchThrowableOfType(AllowListException.class, () -> AllowListLoader.load(file))
        .problems();
  }

  @Test
  void loadsPlaintextAndHashedRows() throws Exception {
    AllowList list = AllowListLoader.load(resource("valid.csv"));

    assertThat(list.size()).isEqualTo(3);
    assertThat(list.lookup(ALPHA_KEY))
        .contains(new AllowListEntry("1", "team-alpha", "2026-01-15"));
    assertThat(list.lookup("password"))
        .contains(new AllowListEntry("2", "team-beta", "2026-02-01"));
    assertThat(list.lookup(GAMMA_KEY)).contains(new AllowListEntry("3", "team-gamma", ""));
    assertThat(list.lookup("passw0rd")).isEmpty();
    assertThat(
            list.lookup("sha256:5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"))
        .isEmpty();
  }

  @Test
  void columnsInAnyOrderWithExtrasQuotingBlankLinesAndTrimming() throws Exception {
    // reordered.csv: CRLF, header "owner , note,added, API_KEY ,Id", quoted commas and quotes,
    // a quoted multi-line note, blank and whitespace-only lines, a row of empty fields.
    AllowList list = AllowListLoader.load(resource("reordered.csv"));

    assertThat(list.size()).isEqualTo(3);
    assertThat(list.lookup(ALPHA_KEY))
        .contains(new AllowListEntry("1", "Team Alpha, Platform", "2026-01-15"));
    assertThat(list.lookup("password"))
        .contains(new AllowListEntry("2", "team-beta", "2026-02-01"));
    assertThat(list.lookup("AIzaSyGeminiKey000000000000000000003"))
        .contains(new AllowListEntry("3", "He said \"hi\"", ""));
  }

  @Test
  void theOptionalExpiresColumnIsADateOrEmpty() throws Exception {
    AllowList list =
        AllowListLoader.parse(
            "id,api_key,owner,added,Expires\n"
                + "1,"
                + ALPHA_KEY
                + ",team-alpha,2026-01-15,2027-01-31\n"
                + "2,"
                + GAMMA_KEY
                + ",team-gamma,2026-01-15,\n",
            "keys.csv");
    assertThat(list.lookup(ALPHA_KEY))
        .contains(
            new AllowListEntry(
                "1", "team-alpha", "2026-01-15", java.time.LocalDate.of(2027, 1, 31)));
    assertThat(list.lookup(GAMMA_KEY).orElseThrow().expires()).isNull();

    assertThatThrownBy(
            () ->
                AllowListLoader.parse(
                    "id,api_key,owner,added,expires\n1,"
                        + ALPHA_KEY
                        + ",a,2026-01-15,2027-02-30\n2,"
                        + GAMMA_KEY
                        + ",b,2026-01-15,"
                        + ALPHA_KEY
                        + "\n",
                    "keys.csv"))
        .isInstanceOfSatisfying(
            AllowListException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "keys.csv line 2: expires \"2027-02-30\" is not a date; write YYYY-MM-DD"
                            + " (the key works through that UTC day) or leave it empty",
                        "keys.csv line 3: expires (…000001) is not a date; write YYYY-MM-DD"
                            + " (the key works through that UTC day) or leave it empty"));
  }

  @Test
  void byteOrderMarkIsSkipped() throws Exception {
    AllowList list = AllowListLoader.load(resource("bom.csv"));

    assertThat(list.size()).isEqualTo(1);
    assertThat(list.lookup("sk-bom-key-000000000000000000007"))
        .contains(new AllowListEntry("7", "team-bom", "2026-03-01"));
  }

  @Test
  void commentLinesAreIgnoredBeforeAndAfterTheHeader() throws Exception {
    // comments.csv: comments before the header (one indented), commented-out rows with and
    // without a space after #, a # inside a key, a quoted key starting with #, and a quoted
    // multi-line owner whose second line starts with #.
    AllowList list = AllowListLoader.load(resource("comments.csv"));

    assertThat(list.size()).isEqualTo(3);
    assertThat(list.lookup("sk-live-key-with-#-inside-000002"))
        .contains(new AllowListEntry("2", "team-hash", "2026-01-02"));
    assertThat(list.lookup("#sk-key-starting-with-hash-0004"))
        .contains(new AllowListEntry("4", "team-q", "2026-01-04"));
    assertThat(list.lookup("sk-after-comments-0000000000005"))
        .contains(new AllowListEntry("5", "a note\n# not a comment: inside quotes", "2026-01-05"));
    assertThat(list.lookup("sk-commented-out-key-0000000001")).isEmpty();
    assertThat(list.lookup("sk-also-commented-out-0000000003")).isEmpty();
  }

  @Test
  void commentLinesKeepTheLineNumbersOfProblems() {
    String csv = "# comment\nid,api_key,owner,added\n# comment\n\n1,,t,x\n";

    assertThat(
            catchThrowableOfType(
                    AllowListException.class, () -> AllowListLoader.parse(csv, "keys.csv"))
                .problems())
        .containsExactly("keys.csv line 5: empty api_key");
  }

  @Test
  void headerAndCommentsOnlyIsAnEmptyList() throws Exception {
    AllowList list =
        AllowListLoader.parse("# no keys yet\nid,api_key,owner,added\n# 1,sk-x,t,x\n", "k.csv");

    assertThat(list.size()).isZero();
  }

  @Test
  void headerOnlyFileIsAnEmptyListWithAWarning() throws Exception {
    Path file = resource("header-only.csv");

    AllowList list = AllowListLoader.load(file);

    assertThat(list.size()).isZero();
    assertThat(logs.list).hasSize(1);
    assertThat(logs.list.get(0).getLevel()).isEqualTo(Level.WARN);
    assertThat(logs.list.get(0).getFormattedMessage())
        .isEqualTo(
            "Allow-list " + file + " has no entries: every request will be refused with 403");
  }

  @Test
  void missingColumnsAreNamedWithTheColumnsFound() throws Exception {
    Path file = resource("missing-columns.csv");

    assertThat(problems(file))
        .containsExactly(
            file
                + " line 1: missing required columns api_key, added"
                + " (found: id, key, owner, comment)");
  }

  @Test
  void oneMissingColumn() throws Exception {
    Path file = write("api_key,owner,added\nsk-1,a,b\n");

    assertThat(problems(file))
        .containsExactly(
            file + " line 1: missing required column id (found: api_key, owner, added)");
  }

  @Test
  void aDataRowInsteadOfAHeaderIsReportedWithoutEchoingTheKey() throws Exception {
    Path file = resource("no-header.csv");

    AllowListException e =
        catchThrowableOfType(AllowListException.class, () -> AllowListLoader.load(file));

    assertThat(e.problems())
        .containsExactly(
            file
                + " line 1: no header row; the first line must name the columns"
                + " id,api_key,owner,added (in any order)");
    assertThat(e.getMessage()).doesNotContain(ALPHA_KEY);
  }

  @Test
  void longColumnNamesAreMaskedWhenEchoed() throws Exception {
    Path file = write("id,owner," + ALPHA_KEY + "\n");

    assertThat(problems(file))
        .containsExactly(
            file + " line 1: missing required columns api_key, added (found: id, owner, …000001)");
  }

  @Test
  void aRequiredColumnTwiceIsAnError() throws Exception {
    Path file = write("id,api_key,owner,added,api_key\n1,sk-1,a,b,sk-2\n");

    assertThat(problems(file))
        .containsExactly(file + " line 1: column api_key appears twice in the header");
  }

  @Test
  void emptyFileIsAnError() throws Exception {
    Path file = write("");

    assertThat(problems(file))
        .containsExactly(
            file + ": file is empty; the first line must be the header id,api_key,owner,added");
  }

  @Test
  void fileOfBlankLinesIsEmpty() throws Exception {
    Path file = write("\uFEFF\n   \n\n");

    assertThat(problems(file))
        .containsExactly(
            file + ": file is empty; the first line must be the header id,api_key,owner,added");
  }

  @Test
  void missingFileIsAnError() {
    Path file = dir.resolve("nope.csv");

    assertThat(problems(file)).containsExactly(file + ": file not found");
  }

  @Test
  void directoryIsAnError() {
    assertThat(problems(dir))
        .containsExactly(dir + ": is a directory; auth.allowlist_path must name the CSV file");
  }

  @Test
  void everyRowErrorIsReportedWithFileAndLine() throws Exception {
    Path file = resource("errors.csv");

    AllowListException e =
        catchThrowableOfType(AllowListException.class, () -> AllowListLoader.load(file));

    assertThat(e.problems())
        .containsExactly(
            file + " line 3: empty id",
            file + " line 4: empty api_key",
            file + " line 5: duplicate api_key (…3f9a2c) — also on line 2",
            file + " line 6: duplicate id 1 — also on line 2",
            file
                + " line 7: malformed sha256: value; expected sha256: followed by 64 hex digits,"
                + " found 60 characters after sha256:",
            file
                + " line 8: malformed sha256: value; expected sha256: followed by 64 hex digits,"
                + " found a character that is not a hex digit",
            file
                + " line 9: duplicate api_key (…5aaedf) — also on line 2"
                + " (one row has the key, the other its sha256: form)",
            file
                + " line 10: row has 5 fields but the header has 4; quote values that contain commas",
            file
                + " line 11: api_key (…000011) contains whitespace or control characters,"
                + " which no client can send",
            file + " line 13: duplicate api_key (…1542d8) — also on line 12");
    assertThat(e.getMessage()).isEqualTo(String.join("\n", e.problems()));
  }

  @Test
  void errorMessagesNeverContainAFullKey() throws Exception {
    Path file = resource("errors.csv");
    List<String> keys =
        Pattern.compile("sk-live-[a-z0-9 ]+")
            .matcher(Files.readString(file, UTF_8))
            .results()
            .map(MatchResult::group)
            .distinct()
            .toList();

    String message =
        catchThrowableOfType(AllowListException.class, () -> AllowListLoader.load(file))
            .getMessage();

    assertThat(keys)
        .containsExactly(
            "sk-live-aaaaaaaaaaaaaaaaaaaa3f9a2c",
            "sk-live-bbbbbbbbbbbbbbbbbbbb000003",
            "sk-live-eeeeeeeeeeeeeeeeeeee000006",
            "sk-live-iiiiiiiiiiiiiiiiiiii000010",
            "sk-live-jjjjjjjjjj jjjjjjjjjj000011");
    for (String key : keys) {
      assertThat(message).doesNotContain(key).doesNotContain(key.substring(1));
    }
  }

  @Test
  void plaintextKeyAndItsHashInEitherOrderAreDuplicates() throws Exception {
    Path file =
        write(
            "id,api_key,owner,added\n"
                + "1,"
                + Sha256.allowListForm(GAMMA_KEY)
                + ",a,\n"
                + "2,"
                + GAMMA_KEY
                + ",b,\n");

    assertThat(problems(file))
        .containsExactly(
            file
                + " line 3: duplicate api_key (…000003) — also on line 2"
                + " (one row has the key, the other its sha256: form)");
  }

  @Test
  void malformedCsvIsReportedAtTheRowWhereItStarts() throws Exception {
    Path file = resource("unterminated-quote.csv");

    AllowListException e =
        catchThrowableOfType(AllowListException.class, () -> AllowListLoader.load(file));

    assertThat(e.problems())
        .containsExactly(file + " line 3: malformed CSV: Missing closing quote for value");
    assertThat(e.getMessage()).doesNotContain("sk-proj-beta-key-000000000000000002");
  }

  @Test
  void invalidUtf8IsReportedWithItsLine() throws Exception {
    byte[] content = "id,api_key,owner,added\n1,sk-1,caf\u00e9,\n2,sk-2,x,\n".getBytes(UTF_8);
    byte[] latin1 = new String(content, UTF_8).getBytes(ISO_8859_1);
    Path file = Files.write(dir.resolve("latin1.csv"), latin1);

    assertThat(problems(file))
        .containsExactly(
            file + " line 2: not valid UTF-8 (at byte 34 of the file); save the file as UTF-8");
  }

  @Test
  void rowsShorterThanTheHeaderHaveEmptyTrailingFields() throws Exception {
    AllowList list = AllowListLoader.parse("id,api_key,owner,added\n1,sk-short-row\n", "inline");

    assertThat(list.lookup("sk-short-row")).contains(new AllowListEntry("1", "", ""));
  }

  @Test
  void sha256PrefixIsCaseInsensitive() throws Exception {
    AllowList list =
        AllowListLoader.parse(
            """
            id,api_key,owner,added
            1,SHA256:5E884898DA28047151D0E56F8DC6292773603D0D6AABBDD62A11EF721D1542D8,o,a
            """,
            "inline");

    assertThat(list.lookup("password")).contains(new AllowListEntry("1", "o", "a"));
  }

  @Test
  void manyProblemsAreAllKeptButTheMessageIsCapped() {
    StringBuilder csv = new StringBuilder("id,api_key,owner,added\n");
    for (int i = 0; i < 60; i++) {
      csv.append(",sk-key-").append(i).append(",o,a\n");
    }

    AllowListException e =
        catchThrowableOfType(
            AllowListException.class, () -> AllowListLoader.parse(csv.toString(), "big.csv"));

    assertThat(e.problems()).hasSize(60);
    assertThat(e.problems().get(59)).isEqualTo("big.csv line 61: empty id");
    assertThat(e.getMessage().lines().count()).isEqualTo(51);
    assertThat(e.getMessage()).endsWith("big.csv line 51: empty id\n... and 10 more problems");
  }

  /** Row {@code i} of the 100,000-row file: every fourth row holds the key's sha256: form. */
  private static String hundredThousandKey(int i) {
    return "sk-proj-" + Integer.toString(i * 7919 + 104_729, 36) + "-Xq8bT2mN4vR7wY1zK3pL6sD9fG0h";
  }

  @Test
  void hundredThousandRowsLoadAndFindEveryPosition() throws Exception {
    // The load time is measured by AllowListLoadBenchmark in lmgate-benchmarks, not here.
    StringBuilder csv = new StringBuilder("id,api_key,owner,added\n");
    for (int i = 0; i < 100_000; i++) {
      String key = hundredThousandKey(i);
      csv.append(i)
          .append(',')
          .append(i % 4 == 0 ? Sha256.allowListForm(key) : key)
          .append(",team-")
          .append(i % 50)
          .append(",2026-01-15\n");
    }
    Path file = write(csv.toString());

    AllowList list = AllowListLoader.load(file);

    assertThat(list.size()).isEqualTo(100_000);
    assertThat(list).hasToString("AllowList[75000 plaintext, 25000 hashed]");
    for (int i : new int[] {0, 1, 49_999, 50_000, 50_001, 99_996, 99_999}) {
      assertThat(list.lookup(hundredThousandKey(i)))
          .as("row %d (%s)", i, i % 4 == 0 ? "sha256:" : "plaintext")
          .contains(new AllowListEntry(Integer.toString(i), "team-" + i % 50, "2026-01-15"));
    }
    assertThat(list.lookup(hundredThousandKey(100_000))).isEmpty();
    assertThat(list.lookup(hundredThousandKey(-1))).isEmpty();
    assertThat(list.lookup(Sha256.allowListForm(hundredThousandKey(0)))).isEmpty();
    assertThat(list.lookup(hundredThousandKey(1).substring(1))).isEmpty();
  }

  @Test
  void parseOfTextNamesTheSourceGiven() {
    assertThatThrownBy(() -> AllowListLoader.parse("id,api_key,owner,added\n1,,o,a\n", "inline"))
        .isInstanceOf(AllowListException.class)
        .hasMessage("inline line 2: empty api_key");
  }
}
