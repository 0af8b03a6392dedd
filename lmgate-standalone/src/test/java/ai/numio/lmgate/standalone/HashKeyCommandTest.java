package ai.numio.lmgate.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.auth.AllowList;
import ai.numio.lmgate.auth.AllowListEntry;
import ai.numio.lmgate.auth.AllowListLoader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashKeyCommandTest {

  private static final String KEY = "sk-proj-Hq3vT0xLrN8cWm2YbK5dPz7aFg1JsUe4";

  @TempDir Path workingDir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String stdin, String... args) {
    return run(new ByteArrayInputStream(stdin.getBytes(UTF_8)), args);
  }

  private int run(InputStream stdin, String... args) {
    return HashKeyCommand.run(
            List.of(args),
            stdin,
            new PrintStream(out, true, UTF_8),
            new PrintStream(err, true, UTF_8),
            workingDir)
        .status();
  }

  private String out() {
    return out.toString(UTF_8);
  }

  private String err() {
    return err.toString(UTF_8);
  }

  private static String sha256Hex(String text) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(UTF_8)));
  }

  @Test
  void printsSha256OfTheKeyInAllowListForm() throws Exception {
    assertThat(run(KEY + "\n")).isZero();

    assertThat(out()).isEqualTo("sha256:" + sha256Hex(KEY) + "\n").matches("sha256:[0-9a-f]{64}\n");
    assertThat(err()).isEmpty();
  }

  @Test
  void knownDigest() {
    assertThat(run("password\n")).isZero();
    assertThat(out())
        .isEqualTo("sha256:5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8\n");
  }

  @Test
  void crlfAndSurroundingWhitespaceAreNotPartOfTheKey() throws Exception {
    assertThat(run("  \t" + KEY + " \r\n")).isZero();
    assertThat(out()).isEqualTo("sha256:" + sha256Hex(KEY) + "\n");
  }

  @Test
  void keyWithoutLineTerminatorIsRead() throws Exception {
    assertThat(run(KEY)).isZero();
    assertThat(out()).isEqualTo("sha256:" + sha256Hex(KEY) + "\n");
  }

  @Test
  void utf8ByteOrderMarkIsNotPartOfTheKey() throws Exception {
    assertThat(run("\uFEFF" + KEY + "\r\n")).isZero();
    assertThat(out()).isEqualTo("sha256:" + sha256Hex(KEY) + "\n");
  }

  @Test
  void onlyTheFirstLineIsReadAndHashed() throws Exception {
    TrackedInput stdin = new TrackedInput(KEY + "\nsecond-line-never-read\n");
    assertThat(run(stdin)).isZero();
    assertThat(out()).isEqualTo("sha256:" + sha256Hex(KEY) + "\n");
    assertThat(stdin.remaining()).isEqualTo("second-line-never-read\n".length());
  }

  @Test
  void outputAuthorizesTheKeyInTheAllowList() throws Exception {
    assertThat(run(KEY + "\r\n")).isZero();
    String hashed = out().strip();

    AllowList list =
        AllowListLoader.parse(
            "id,api_key,owner,added\n1," + hashed + ",team,2026-01-01\n", "test.csv");

    assertThat(list.lookup(KEY)).contains(new AllowListEntry("1", "team", "2026-01-01"));
    assertThat(list.lookup(KEY + "x")).isEmpty();
  }

  @Test
  void emptyInputIsUsageError() {
    assertThat(run("")).isEqualTo(2);
    assertThat(out()).isEmpty();
    assertThat(err()).startsWith("lmgate hash-key: no key on standard input");
  }

  @Test
  void blankFirstLineIsUsageError() {
    assertThat(run(" \r\n" + KEY + "\n")).isEqualTo(2);
    assertThat(out()).isEmpty();
    assertThat(err()).startsWith("lmgate hash-key: no key on standard input");
  }

  @Test
  void keyWithInnerWhitespaceIsRefusedWithoutShowingIt() {
    assertThat(run("sk-abc def\n")).isEqualTo(2);
    assertThat(out()).isEmpty();
    assertThat(err())
        .startsWith(
            "lmgate hash-key: the key has whitespace or a control character at position 7 of 10")
        .doesNotContain("sk-abc")
        .doesNotContain("def");
  }

  @Test
  void keyWithNoBreakSpaceOrControlCharacterIsRefused() {
    assertThat(run("sk-abc\u00A0def\n")).isEqualTo(2);
    assertThat(err()).contains("at position 7 of 10");
    err.reset();
    assertThat(run("sk-abc\u0007def\n")).isEqualTo(2);
    assertThat(err()).contains("at position 7 of 10");
    assertThat(out()).isEmpty();
  }

  @Test
  void invalidUtf8IsRefused() {
    byte[] bytes = {'s', 'k', '-', (byte) 0xC3, '(', '\n'};
    assertThat(run(new ByteArrayInputStream(bytes))).isEqualTo(2);
    assertThat(err()).startsWith("lmgate hash-key: the key is not valid UTF-8 text");
    assertThat(out()).isEmpty();
  }

  @Test
  void alreadyHashedInputIsRefused() {
    assertThat(run("sha256:5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8\n"))
        .isEqualTo(2);
    assertThat(err()).startsWith("lmgate hash-key: the input is already a hashed key");
    assertThat(out()).isEmpty();
  }

  @Test
  void overlongFirstLineIsRefusedWithoutReadingItAll() {
    TrackedInput stdin = new TrackedInput("k".repeat(HashKeyCommand.MAX_LINE_BYTES + 100));
    assertThat(run(stdin)).isEqualTo(2);
    assertThat(err()).startsWith("lmgate hash-key: the first line of standard input is longer");
    assertThat(stdin.remaining()).isEqualTo(99);
    assertThat(out()).isEmpty();
  }

  @Test
  void argumentsAreUsageError() {
    assertThat(run(KEY + "\n", KEY)).isEqualTo(2);
    assertThat(err())
        .startsWith("lmgate hash-key: takes no arguments")
        .contains("Usage: lmgate hash-key")
        .doesNotContain(KEY);
    assertThat(out()).isEmpty();
  }

  @Test
  void helpPrintsUsage() {
    assertThat(run("", "--help")).isZero();
    assertThat(out()).isEqualTo(HashKeyCommand.USAGE).startsWith("Usage: lmgate hash-key");
    assertThat(err()).isEmpty();
  }

  @Test
  void unreadableStdinIsRuntimeFailure() {
    InputStream broken =
        new InputStream() {
          @Override
          public int read() throws IOException {
            throw new IOException("Input/output error");
          }
        };
    assertThat(run(broken)).isEqualTo(1);
    assertThat(err())
        .isEqualTo("lmgate hash-key: cannot read standard input: Input/output error\n");
  }

  /** Standard input that tells how much of it was left unread. */
  private static final class TrackedInput extends ByteArrayInputStream {
    TrackedInput(String text) {
      super(text.getBytes(UTF_8));
    }

    int remaining() {
      return count - pos;
    }
  }
}
