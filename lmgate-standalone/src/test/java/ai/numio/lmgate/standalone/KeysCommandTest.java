package ai.numio.lmgate.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.auth.AllowList;
import ai.numio.lmgate.auth.AllowListEntry;
import ai.numio.lmgate.auth.AllowListLoader;
import ai.numio.lmgate.auth.Sha256;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lmgate keys new|list|revoke} on a real allow-list file, and a gateway reading it. */
class KeysCommandTest {

  private static final Clock DEC_3 =
      Clock.fixed(Instant.parse("2026-12-03T23:30:00Z"), ZoneOffset.UTC);
  private static final String EXISTING = "sk-proj-existing-key-0000000000001";

  @TempDir Path dir;
  private Path allowList;
  private Path config;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void setUp() throws Exception {
    allowList = dir.resolve("allowlist.csv");
    Files.writeString(
        allowList,
        "# the platform team's keys\nid,api_key,owner,added\n7,"
            + EXISTING
            + ",team-a,2026-01-15\n");
    config = dir.resolve("lmgate.yaml");
    Files.writeString(
        config, "auth: { allowlist_path: allowlist.csv, poll_interval_seconds: 1 }\n");
  }

  @Test
  void newAppendsAHashedRowAndPrintsTheKeyOnce() throws Exception {
    ExitCode code = keys("new", "--owner", "team-search", "--expires", "2027-01-31");
    assertThat(code).isEqualTo(ExitCode.OK);
    String key = out.toString(UTF_8).strip();
    assertThat(key).matches("lmg-[A-Za-z0-9_-]{43}");
    String file = Files.readString(allowList);
    assertThat(file)
        .isEqualTo(
            "# the platform team's keys\nid,api_key,owner,added,expires\n7,"
                + EXISTING
                + ",team-a,2026-01-15\n8,"
                + Sha256.allowListForm(key)
                + ",team-search,2026-12-03,2027-01-31\n");
    assertThat(file).doesNotContain(key);
    AllowList loaded = AllowListLoader.load(allowList);
    assertThat(loaded.lookup(key))
        .contains(new AllowListEntry("8", "team-search", "2026-12-03", LocalDate.of(2027, 1, 31)));
    assertThat(err.toString(UTF_8))
        .contains("key 8 for team-search added to")
        .contains("within 1 s")
        .doesNotContain(key);
    assertThat(Files.list(dir).map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrder("allowlist.csv", "allowlist.csv.lock", "lmgate.yaml");
  }

  @Test
  void twoKeysAreNeverAlike() {
    assertThat(KeysCommand.newKey()).isNotEqualTo(KeysCommand.newKey());
  }

  @Test
  void listShowsEveryRowButNeverAKey() throws Exception {
    keys("new", "--owner", "team-b", "--id", "b-1", "--expires", "2026-12-31");
    String key = out.toString(UTF_8).strip();
    out.reset();
    Files.writeString(
        allowList,
        Files.readString(allowList)
            + "9,sk-old-key-000000000000000009,team-c,2025-01-01,2026-12-02\n");
    assertThat(keys("list")).isEqualTo(ExitCode.OK);
    String listing = out.toString(UTF_8);
    String digest = Sha256.allowListForm(key);
    assertThat(listing)
        .isEqualTo(
            "ID   OWNER   ADDED       EXPIRES     STATUS   KEY\n"
                + "7    team-a  2026-01-15  -           active   …000001\n"
                + "b-1  team-b  2026-12-03  2026-12-31  active   "
                + digest.substring(0, 19)
                + "…\n"
                + "9    team-c  2025-01-01  2026-12-02  expired  …000009\n");
    assertThat(listing).doesNotContain(key).doesNotContain(digest).doesNotContain(EXISTING);
  }

  @Test
  void revokeRemovesTheRowAndAnUnknownIdIsAnError() throws Exception {
    keys("new", "--owner", "team-b");
    String key = out.toString(UTF_8).strip();
    assertThat(keys("revoke", "8")).isEqualTo(ExitCode.OK);
    assertThat(Files.readString(allowList))
        .isEqualTo(
            "# the platform team's keys\nid,api_key,owner,added\n7,"
                + EXISTING
                + ",team-a,2026-01-15\n");
    assertThat(AllowListLoader.load(allowList).lookup(key)).isEmpty();
    err.reset();
    assertThat(keys("revoke", "8")).isEqualTo(ExitCode.BAD_USAGE_OR_CONFIG);
    assertThat(err.toString(UTF_8)).contains("no key with id '8' in");
  }

  @Test
  void mistakesAreUsageErrorsThatChangeNothing() throws Exception {
    String before = Files.readString(allowList);
    assertThat(keys("new")).isEqualTo(ExitCode.BAD_USAGE_OR_CONFIG);
    assertThat(keys("new", "--owner", "x", "--expires", "31/01/2027"))
        .isEqualTo(ExitCode.BAD_USAGE_OR_CONFIG);
    assertThat(keys("new", "--owner", "x", "--expires", "2026-12-02"))
        .isEqualTo(ExitCode.BAD_USAGE_OR_CONFIG);
    assertThat(keys("new", "--owner", "x", "--id", "7")).isEqualTo(ExitCode.BAD_USAGE_OR_CONFIG);
    assertThat(keys("new", "--owner", "x", "--colour", "red"))
        .isEqualTo(ExitCode.BAD_USAGE_OR_CONFIG);
    assertThat(keys("rotate")).isEqualTo(ExitCode.BAD_USAGE_OR_CONFIG);
    assertThat(Files.readString(allowList)).isEqualTo(before);
    assertThat(err.toString(UTF_8))
        .contains("new needs --owner NAME")
        .contains("--expires '31/01/2027' is not a date")
        .contains("--expires 2026-12-02 is in the past")
        .contains("duplicate id 7")
        .contains("new has no option --colour")
        .contains("unknown action 'rotate'");
    assertThat(out.toString(UTF_8)).isEmpty(); // no key printed for a row not written
  }

  @Test
  void anInvalidAllowListIsNotTouched() throws Exception {
    Files.writeString(allowList, "id,api_key,owner,added\n1,k1,a,\n1,k2,b,\n");
    assertThat(keys("new", "--owner", "x")).isEqualTo(ExitCode.BAD_USAGE_OR_CONFIG);
    assertThat(err.toString(UTF_8))
        .contains("the allow-list is invalid")
        .contains("duplicate id 1");
    assertThat(Files.readString(allowList)).isEqualTo("id,api_key,owner,added\n1,k1,a,\n1,k2,b,\n");
  }

  /** Six processes issuing keys at once: six rows, six ids, none lost. */
  @Test
  void concurrentProcessesLoseNoRow() throws Exception {
    List<Process> processes = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      processes.add(
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  Main.class.getName(),
                  "keys",
                  "new",
                  "--owner",
                  "team-" + i,
                  "--config",
                  config.toString())
              .directory(dir.toFile())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start());
    }
    List<String> issued = new ArrayList<>();
    for (Process process : processes) {
      issued.add(new String(process.getInputStream().readAllBytes(), UTF_8).strip());
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).isZero();
    }
    AllowList loaded = AllowListLoader.load(allowList);
    assertThat(loaded.size()).isEqualTo(7);
    List<String> ids = new ArrayList<>();
    for (String key : issued) {
      ids.add(loaded.lookup(key).orElseThrow().id());
    }
    assertThat(ids).containsExactlyInAnyOrder("8", "9", "10", "11", "12", "13");
  }

  /** A serving gateway accepts a new key within its poll interval and refuses it once revoked. */
  @Test
  void aServingGatewayTakesNewAndRevokedKeysAtItsNextPoll() throws Exception {
    HttpServer upstream =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
    upstream.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          byte[] body = "{\"data\":[]}".getBytes(UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    upstream.start();
    int port = GatewayProcess.freePort();
    Files.writeString(
        config,
        Files.readString(config)
            + "server: { host: 127.0.0.1, port: "
            + port
            + " }\nstats: { output_path: stats.jsonl }\nproviders:\n  openai: { upstream: 'http://127.0.0.1:"
            + upstream.getAddress().getPort()
            + "' }\n");
    try (GatewayProcess gateway = GatewayProcess.start(dir, config.toString(), "gateway.log")) {
      assertThat(keys("new", "--owner", "team-new")).isEqualTo(ExitCode.OK);
      String key = out.toString(UTF_8).strip();
      URI models = URI.create("http://127.0.0.1:" + port + "/openai/v1/models");
      assertThat(awaitStatus(models, key, 200)).isEqualTo(200);
      assertThat(keys("revoke", "8")).isEqualTo(ExitCode.OK);
      assertThat(awaitStatus(models, key, 403)).isEqualTo(403);
      assertThat(Files.readString(dir.resolve("gateway.log"))).doesNotContain(key);
    } finally {
      upstream.stop(0);
    }
  }

  /** Polls until the status is {@code wanted} (a reload settles for 2 s, then the 1 s poll). */
  private static int awaitStatus(URI uri, String key, int wanted) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    int status;
    do {
      status =
          client
              .send(
                  HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + key).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode();
      if (status == wanted) {
        return status;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    return status;
  }

  private ExitCode keys(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--config");
    all.add(config.toString());
    return KeysCommand.run(
        all,
        new PrintStream(out, true, UTF_8),
        new PrintStream(err, true, UTF_8),
        dir,
        Map.of(),
        DEC_3);
  }
}
