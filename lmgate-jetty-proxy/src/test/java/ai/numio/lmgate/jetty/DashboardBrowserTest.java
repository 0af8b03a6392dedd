package ai.numio.lmgate.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.numio.lmgate.dashboard.History;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium}, driven by {@code
 * playwright-core} from {@code src/test/browser}): log in, read the tiles and tables, switch range
 * and grouping, no console error; screenshots under {@code target/ui-screenshots/}. Skipped without
 * chromium, node or the installed node packages, except under CI ({@code .ci/run} installs them).
 */
class DashboardBrowserTest {

  private static final Path BROWSER_DIR = Path.of("src/test/browser").toAbsolutePath();
  private static final Path SHOTS = Path.of("target/ui-screenshots").toAbsolutePath();

  @TempDir Path dir;

  @Test
  void aPlatformEngineerSeesTheSeededTotals() throws Exception {
    String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    requireTool(new File(chromium).canExecute(), "chromium (" + chromium + ")");
    requireTool(onPath("node"), "node");
    requireTool(
        Files.isDirectory(BROWSER_DIR.resolve("node_modules/playwright-core")),
        "playwright-core (npm ci in " + BROWSER_DIR + ")");

    DashboardHistory.write(dir.resolve("stats.jsonl"), Instant.now());
    try (Gateway gateway =
        Gateway.start(
            dir,
            URI.create("http://127.0.0.1:9"),
            Map.of("LMGATE_UI__TOKEN", DashboardHistory.TOKEN))) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> gateway.server.dashboard().history().state() == History.State.DONE);
      Files.createDirectories(SHOTS);
      JsonNode seen = run(gateway.server.uri().toString());

      assertThat(seen.get("pageErrors")).isEmpty();
      assertThat(seen.get("console")).as("console errors and warnings").isEmpty();
      assertThat(seen.get("failedRequests")).isEmpty();

      // without the token: the form, the data refused, a wrong token refused
      assertThat(seen.get("unauthenticatedStatus").asInt()).isEqualTo(401);
      assertThat(seen.get("loginFormShown").asBoolean()).isTrue();
      assertThat(seen.get("apiWithoutToken").asInt()).isEqualTo(401);
      assertThat(seen.get("wrongTokenMessage").asText()).isEqualTo("Wrong token.");
      JsonNode cookie = seen.get("cookie").get(0);
      assertThat(cookie.get("name").asText()).isEqualTo("lmgate_ui");
      assertThat(cookie.get("httpOnly").asBoolean()).isTrue();
      assertThat(cookie.get("sameSite").asText()).isEqualTo("Strict");
      assertThat(cookie.get("valueIsToken").asBoolean()).isFalse();
      assertThat(seen.get("loadMillis").asLong()).isLessThan(5000);

      JsonNode hour = seen.get("hour");
      assertThat(hour.get("tiles").toString())
          .isEqualTo(
              "{\"requests\":\"4\",\"cost\":\"$0.0180\",\"input\":\"3,000\",\"output\":\"700\","
                  + "\"cache\":\"0 / 0\",\"errors\":\"1\",\"errorRate\":\"25.0 %\","
                  + "\"refusals\":\"1\",\"refusalRate\":\"25.0 %\",\"inflight\":\"0\"}");
      assertThat(hour.get("title").asText()).isEqualTo("Spend over time by owner");
      assertThat(hour.get("groups").toString())
          .isEqualTo(
              "[[\"team-beta\",\"2\",\"2,500\",\"$0.0135\",\"1\"],"
                  + "[\"team-alpha\",\"2\",\"1,200\",\"$0.0045\",\"1\"]]");
      assertThat(hour.get("spenders").toString())
          .isEqualTo(
              "[[\"team-beta\",\"2\",\"2,500\",\"$0.0135\"],"
                  + "[\"team-alpha\",\"2\",\"1,200\",\"$0.0045\"]]");
      assertThat(hour.get("errorTypes").toString())
          .isEqualTo(
              "[[\"rate_limited\",\"refusal\",\"1\"],[\"upstream_timeout\",\"error\",\"1\"]]");
      assertThat(hour.get("latency").get(0).toString())
          .isEqualTo("[\"Duration\",\"≤ 918 ms\",\"≤ 34 s\",\"≤ 34 s\",\"4\"]");
      assertThat(hour.get("usageBars").asInt()).isEqualTo(2); // two priced minutes, one owner each
      assertThat(hour.get("errorBars").asInt()).isEqualTo(2);

      JsonNode day = seen.get("day").get("tiles");
      assertThat(day.get("requests").asText()).isEqualTo("5");
      assertThat(day.get("cost").asText()).isEqualTo("$0.0330");
      assertThat(day.get("input").asText()).isEqualTo("7,000");

      JsonNode month = seen.get("monthByModel");
      assertThat(month.get("tiles").get("requests").asText()).isEqualTo("6");
      assertThat(month.get("tiles").get("cost").asText()).isEqualTo("$0.0780");
      assertThat(month.get("tiles").get("output").asText()).isEqualTo("3,700");
      assertThat(month.get("title").asText()).isEqualTo("Spend over time by model");
      assertThat(month.get("groups").toString())
          .isEqualTo(
              "[[\"gpt-4o\",\"4\",\"13,200\",\"$0.0495\",\"2\"],"
                  + "[\"gemini-2.5-pro\",\"1\",\"5,000\",\"$0.0150\",\"0\"],"
                  + "[\"claude-sonnet-4\",\"1\",\"2,500\",\"$0.0135\",\"0\"]]");
      assertThat(month.get("spenders").get(0).get(0).asText()).isEqualTo("team-alpha");
    }
    assertThat(SHOTS.resolve("ui-hour.png")).isNotEmptyFile();
    Path docs = Path.of(System.getProperty("lmgate.uiScreenshot", ""));
    if (!docs.toString().isEmpty()) {
      // -Dlmgate.uiScreenshot=../docs/images/ui.png refreshes the user guide's picture
      Files.createDirectories(docs.toAbsolutePath().getParent());
      Files.copy(SHOTS.resolve("ui-hour.png"), docs, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static JsonNode run(String base) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "node",
                BROWSER_DIR.resolve("dashboard-check.mjs").toString(),
                base,
                DashboardHistory.TOKEN,
                SHOTS.toString()));
    Path out = SHOTS.resolve("node-stdout.txt");
    Path err = SHOTS.resolve("node-stderr.txt");
    Process p =
        new ProcessBuilder(command)
            .directory(BROWSER_DIR.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the browser script did not finish in 120 s");
    }
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue())
        .as("node exit; stderr:%n%s", Files.readString(err, StandardCharsets.UTF_8))
        .isZero();
    return new ObjectMapper().readTree(stdout);
  }

  private static boolean onPath(String name) {
    return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .anyMatch(d -> new File(d, name).canExecute());
  }

  /** Skipped without the tool, except under CI (.ci/run installs it). */
  private static void requireTool(boolean found, String name) {
    if ("true".equals(System.getenv("CI"))) {
      assertThat(found).as("%s must be installed under CI (.ci/run installs it)", name).isTrue();
    }
    Assumptions.assumeTrue(found, name + " is not installed: the browser test is skipped");
  }
}
