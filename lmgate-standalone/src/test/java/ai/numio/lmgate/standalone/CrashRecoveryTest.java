package ai.numio.lmgate.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.standalone.ChatUpstream.Reply;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} while the stats writer is busy, then a restart on the same file, three times: the
 * file only ever holds whole JSON lines plus at most one partial line, which the restart terminates
 * with a newline; new records follow on their own lines; {@code lmgate report} counts each partial
 * line as malformed and every whole record exactly.
 *
 * <p>To make a partial line likely the kill is aimed: the test watches the file and kills the
 * gateway the moment its last byte is not a newline, that is while a batch is being appended. The
 * assertions hold whether or not a kill landed mid-write; the test reports how many did. If none
 * did, it leaves a partial line itself before the last restart, so that recovery is always checked.
 */
class CrashRecoveryTest {

  private static final String KEY = "sk-proj-crash-test-key-99301";
  private static final int ROUNDS = 3;
  private static final int CLIENTS = 16;

  /** Upper bound of the load in one round if no write is caught in progress. */
  private static final Duration MAX_LOAD = Duration.ofSeconds(3);

  /**
   * A long path after the route's (3 KB, well under the 8 KB request-header limit): each record is
   * then about 3.4 KB, so one flush is a write of megabytes, which a kill can land in.
   */
  private static final String TAIL = "/" + "x".repeat(3000);

  private static final String ENDPOINT = "/openai" + ChatUpstream.PATH + TAIL;

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private ChatUpstream upstream;
  private GatewayProcess gateway;
  private Path stats;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final AtomicInteger next = new AtomicInteger();
  private final Set<Integer> sent = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void setUp() throws IOException {
    upstream = new ChatUpstream();
    stats = dir.resolve("out/stats.jsonl");
  }

  @AfterEach
  void tearDown() {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
  }

  @Test
  void killedMidWriteThenRestartedLeavesOnlyWholeLinesAndOneTerminatedPartialPerCrash()
      throws Exception {
    int partialLines = 0;
    List<String> rounds = new ArrayList<>();
    for (int round = 1; round <= ROUNDS; round++) {
      int from = startGateway(round);
      Crash crash = loadAndKill();
      byte[] file = Files.readAllBytes(stats);
      int tail = tailStart(file);
      int whole = checkWholeLines(file, from, tail);
      boolean partial = tail < file.length && !isJsonObject(file, tail, file.length);
      if (partial) {
        partialLines++;
      }
      rounds.add(
          String.format(
              "round %d: %d responses, %d whole lines, tail %d bytes (%s), killed %s",
              round,
              crash.completed,
              whole,
              file.length - tail,
              tail == file.length ? "none" : partial ? "partial line" : "whole record, no newline",
              crash.midWrite ? "while the file ended mid-line" : "after " + MAX_LOAD));
    }

    // A kill lands inside a write only by chance (on a busy machine a flush can take well under a
    // millisecond). So that the recovery of a partial line is checked on every run, leave one the
    // way such a kill would, if the kills did not: the first bytes of a record, no newline.
    byte[] killed = Files.readAllBytes(stats);
    assertThat(killed).as("records written before the kills").isNotEmpty();
    if (killed[killed.length - 1] == '\n') {
      int lastLine = tailStart(Arrays.copyOf(killed, killed.length - 1));
      Files.write(
          stats, Arrays.copyOfRange(killed, lastLine, lastLine + 100), StandardOpenOption.APPEND);
      partialLines++;
      rounds.add("then a partial line left as a kill mid-write would (100 bytes of a record)");
    }

    // the last restart, a few requests, SIGTERM
    startGateway(ROUNDS + 1);
    URI base = base();
    List<Integer> last = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int n = next.getAndIncrement();
      sent.add(n);
      last.add(n);
      HttpResponse<String> response =
          client.send(
              ChatUpstream.request(base, KEY, n, Reply.json(0), TAIL),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
    }
    gateway.terminate();
    assertThat(gateway.awaitExit(Duration.ofSeconds(20))).isZero();

    byte[] file = Files.readAllBytes(stats);
    assertThat(file[file.length - 1]).isEqualTo((byte) '\n');
    List<String> lines = List.of(new String(file, UTF_8).split("\n", -1)).subList(0, count(file));
    List<String> records = new ArrayList<>();
    int malformed = 0;
    for (String line : lines) {
      if (isJsonObject(line.getBytes(UTF_8), 0, line.getBytes(UTF_8).length)) {
        records.add(line);
      } else {
        malformed++;
      }
    }
    assertThat(malformed).isEqualTo(partialLines);
    Map<Integer, JsonNode> byRequest = UsageRecords.byRequest(records); // no duplicates
    byRequest.forEach((n, record) -> UsageRecords.assertExact(record, n, false, ENDPOINT));
    assertThat(sent).containsAll(byRequest.keySet());
    List<Integer> lastTen = new ArrayList<>();
    for (String line : lines.subList(lines.size() - 10, lines.size())) {
      lastTen.add(ChatUpstream.number(JSON.readTree(line)));
    }
    assertThat(lastTen).containsExactlyInAnyOrderElementsOf(last);

    JsonNode report = report();
    assertThat(report.get("records").asLong()).isEqualTo(records.size());
    assertThat(report.get("malformed_lines").asLong()).isEqualTo(partialLines);
    long input = byRequest.keySet().stream().mapToLong(ChatUpstream::inputTokens).sum();
    long output = byRequest.keySet().stream().mapToLong(ChatUpstream::outputTokens).sum();
    assertThat(report.get("total").get("input_tokens").asLong()).isEqualTo(input);
    assertThat(report.get("total").get("output_tokens").asLong()).isEqualTo(output);

    System.out.printf(
        "[kill -9 x %d] %s; finally %d records, %d malformed (partial) lines; report agrees%n",
        ROUNDS, String.join("; ", rounds), records.size(), malformed);
  }

  /** What one round of load saw before the kill. */
  private record Crash(int completed, boolean midWrite) {}

  /**
   * (Re)starts the gateway on the same stats file; checks that it kept the file's bytes and ended
   * an incomplete last line with a newline before anything else.
   */
  private int startGateway(int round) throws Exception {
    byte[] before = Files.exists(stats) ? Files.readAllBytes(stats) : new byte[0];
    GatewayProcess.writeConfig(dir, KEY, GatewayProcess.freePort(), upstream.uri(), 5, 1);
    gateway = GatewayProcess.start(dir, "lmgate.yaml", "gateway-" + round + ".log");
    if (before.length > 0) {
      byte[] after = Files.readAllBytes(stats);
      boolean terminated = before[before.length - 1] != '\n';
      assertThat(after).hasSize(before.length + (terminated ? 1 : 0));
      assertThat(Arrays.copyOf(after, before.length)).isEqualTo(before);
      assertThat(after[after.length - 1]).isEqualTo((byte) '\n');
      if (terminated) {
        assertThat(gateway.output()).anyMatch(l -> l.contains("ended in an incomplete line"));
      }
      return after.length;
    }
    return 0;
  }

  private URI base() throws IOException {
    String yaml = Files.readString(dir.resolve("lmgate.yaml"));
    int from = yaml.indexOf("port: ") + "port: ".length();
    return URI.create("http://127.0.0.1:" + yaml.substring(from, yaml.indexOf(',', from)));
  }

  /**
   * Runs {@value #CLIENTS} clients sending JSON requests back to back, and kills the gateway as
   * soon as the file is caught ending mid-line (a batch being appended), or after {@link
   * #MAX_LOAD}.
   */
  private Crash loadAndKill() throws Exception {
    URI base = base();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger completed = new AtomicInteger();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    for (int c = 0; c < CLIENTS; c++) {
      clients.execute(
          () -> {
            while (!stop.get()) {
              int n = next.getAndIncrement();
              sent.add(n);
              try {
                HttpResponse<String> response =
                    client.send(
                        ChatUpstream.request(base, KEY, n, Reply.json(0), TAIL),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                  completed.incrementAndGet();
                }
              } catch (IOException e) {
                // the gateway was killed
              } catch (InterruptedException e) {
                return;
              }
            }
          });
    }
    boolean midWrite = false;
    long deadline = System.nanoTime() + MAX_LOAD.toNanos();
    ByteBuffer last = ByteBuffer.allocate(1);
    FileChannel watched = null;
    try {
      while (!midWrite && System.nanoTime() < deadline) {
        if (watched == null) {
          try {
            watched = FileChannel.open(stats, StandardOpenOption.READ);
          } catch (NoSuchFileException e) {
            Thread.onSpinWait();
            continue;
          }
        }
        long size = watched.size();
        last.clear();
        midWrite = size > 0 && watched.read(last, size - 1) == 1 && last.get(0) != '\n';
      }
    } finally {
      gateway.kill();
      if (watched != null) {
        watched.close();
      }
    }
    assertThat(gateway.awaitExit(Duration.ofSeconds(10))).isEqualTo(137);
    stop.set(true);
    clients.shutdown();
    assertThat(clients.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    return new Crash(completed.get(), midWrite);
  }

  /**
   * Checks that every line in {@code file[from, to)} (whole lines) is one exact record; returns how
   * many there are.
   */
  private static int checkWholeLines(byte[] file, int from, int to) {
    List<String> lines = new ArrayList<>();
    int start = from;
    for (int i = from; i < to; i++) {
      if (file[i] == '\n') {
        assertThat(isJsonObject(file, start, i))
            .as("line at byte %d: %s", start, new String(file, start, i - start, UTF_8))
            .isTrue();
        lines.add(new String(file, start, i - start, UTF_8));
        start = i + 1;
      }
    }
    Map<Integer, JsonNode> records = UsageRecords.byRequest(lines);
    records.forEach((n, record) -> UsageRecords.assertExact(record, n, false, ENDPOINT));
    return lines.size();
  }

  /** Where the bytes after the last newline begin ({@code file.length} if there are none). */
  private static int tailStart(byte[] file) {
    int i = file.length;
    while (i > 0 && file[i - 1] != '\n') {
      i--;
    }
    return i;
  }

  private static int count(byte[] file) {
    int lines = 0;
    for (byte b : file) {
      if (b == '\n') {
        lines++;
      }
    }
    return lines;
  }

  private static boolean isJsonObject(byte[] bytes, int from, int to) {
    try {
      JsonNode node = JSON.readTree(Arrays.copyOfRange(bytes, from, to));
      return node != null && node.isObject();
    } catch (IOException e) {
      return false;
    }
  }

  private JsonNode report() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ExitCode code =
        Main.run(
            List.of("report", "--format", "json", "out/stats.jsonl"),
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true, UTF_8),
            new PrintStream(err, true, UTF_8),
            dir,
            Map.of());
    assertThat(code).as("report: %s", err.toString(UTF_8)).isEqualTo(ExitCode.OK);
    return JSON.readTree(out.toByteArray());
  }
}
