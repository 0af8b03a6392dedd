package ai.numio.lmgate.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.numio.lmgate.dashboard.History;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** The dashboard on a real gateway: seeded history, live records, the token, the login form. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"servlet", "lean"})
class DashboardTest {

  @Parameter String engine;

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private Gateway gateway;
  private final HttpClient client = HttpClient.newHttpClient();

  @AfterEach
  void tearDown() {
    if (gateway != null) {
      gateway.close();
    }
  }

  private void start() throws Exception {
    DashboardHistory.write(dir.resolve("stats.jsonl"), Instant.now());
    // no upstream listens on port 9: a live request is recorded upstream_unreachable
    gateway =
        Gateway.on(engine)
            .start(
                dir,
                URI.create("http://127.0.0.1:9"),
                Map.of("LMGATE_UI__TOKEN", DashboardHistory.TOKEN));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> gateway.server.dashboard().history().state() == History.State.DONE);
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(gateway.uri(path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode summary(String range) throws Exception {
    HttpResponse<String> r =
        get("/ui/api/summary?range=" + range, "Authorization", "Bearer " + DashboardHistory.TOKEN);
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void theSummaryHasTheSeededTotalsPerRange() throws Exception {
    start();
    JsonNode hour = summary("hour");
    assertThat(hour.get("history").get("records").asLong()).isEqualTo(6); // A–F; G's file skipped
    assertThat(hour.get("history").get("malformed").asLong()).isEqualTo(1);
    assertThat(hour.get("totals").toString())
        .isEqualTo(
            "{\"requests\":4,\"errors\":1,\"refusals\":1,\"input_tokens\":3000,"
                + "\"output_tokens\":700,\"cache_read_tokens\":0,\"cache_write_tokens\":0,"
                + "\"unpriced\":2,\"cost_usd\":0.018}");
    assertThat(hour.get("buckets").size()).isEqualTo(60);
    JsonNode day = summary("day").get("totals");
    assertThat(day.get("requests").asLong()).isEqualTo(5);
    assertThat(day.get("input_tokens").asLong()).isEqualTo(7000);
    assertThat(day.get("cost_usd").decimalValue()).isEqualByComparingTo("0.033");
    JsonNode month = summary("month");
    assertThat(month.get("totals").get("requests").asLong()).isEqualTo(6);
    assertThat(month.get("totals").get("output_tokens").asLong()).isEqualTo(3700);
    assertThat(month.get("totals").get("cost_usd").decimalValue()).isEqualByComparingTo("0.078");
    // top spenders: alpha 0.0495, gamma 0.015, beta 0.0135
    assertThat(month.get("top_spenders").findValuesAsText("owner"))
        .containsExactly("team-alpha", "team-gamma", "team-beta");
    assertThat(hour.get("error_types").toString())
        .isEqualTo(
            "[{\"error_type\":\"rate_limited\",\"refusal\":true,\"count\":1},"
                + "{\"error_type\":\"upstream_timeout\",\"refusal\":false,\"count\":1}]");
    // durations 2, 800, 1500, 30000 ms: p50 in the bucket [786.432, 917.504) ms
    assertThat(hour.get("latency").get("duration_ms").toString())
        .isEqualTo("{\"count\":4,\"p50\":917.504,\"p90\":33554.432,\"p99\":33554.432}");
    JsonNode byModel =
        JSON.readTree(
            get(
                    "/ui/api/summary?range=month&by=model",
                    "Authorization",
                    "Bearer " + DashboardHistory.TOKEN)
                .body());
    assertThat(byModel.get("groups").findValuesAsText("name"))
        .containsExactly("gpt-4o", "gemini-2.5-pro", "claude-sonnet-4");
  }

  @Test
  void liveRecordsAddToTheHistoryOnce() throws Exception {
    start();
    HttpResponse<String> proxied =
        client.send(
            HttpRequest.newBuilder(gateway.uri("/openai/v1/chat/completions"))
                .header("Authorization", "Bearer " + Gateway.ALPHA_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(proxied.statusCode()).isEqualTo(502);
    gateway.server.gate().flushRecords(); // now in the live file too: still counted once
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> summary("hour").get("totals").get("requests").asLong() == 5);
    JsonNode hour = summary("hour");
    assertThat(hour.get("totals").get("errors").asLong()).isEqualTo(2);
    assertThat(hour.get("error_types").findValuesAsText("error_type"))
        .containsExactly("rate_limited", "upstream_timeout", "upstream_unreachable");
    assertThat(summary("month").get("totals").get("requests").asLong()).isEqualTo(7);
    assertThat(hour.get("inflight").asInt()).isZero();
  }

  @Test
  void withoutTheTokenEverythingButTheLoginFormIsRefused() throws Exception {
    start();
    HttpResponse<String> page = get("/ui");
    assertThat(page.statusCode()).isEqualTo(401);
    assertThat(page.body()).contains("<form method=\"post\" action=\"/ui/login\"");
    assertThat(page.headers().firstValue("Content-Security-Policy"))
        .hasValue(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src"
                + " 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    assertThat(get("/ui/api/summary").statusCode()).isEqualTo(401);
    assertThat(
            get("/ui/api/summary", "Authorization", "Bearer wrong-token-0123456789").statusCode())
        .isEqualTo(401);
    assertThat(get("/ui/api/summary", "Cookie", "lmgate_ui=" + DashboardHistory.TOKEN).statusCode())
        .as("the token is not a session id")
        .isEqualTo(401);
    assertThat(get("/ui", "Authorization", "Bearer " + DashboardHistory.TOKEN).body())
        .contains("<script src=\"/ui/app.js\"");
  }

  @Test
  void theLoginFormOpensASessionWhoseIdIsNotTheToken() throws Exception {
    start();
    HttpResponse<String> wrong = postLogin("wrong-token-0123456789", null);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).contains("Wrong token.");
    assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();

    HttpResponse<String> ok = postLogin(DashboardHistory.TOKEN, null);
    assertThat(ok.statusCode()).isEqualTo(303);
    assertThat(ok.headers().firstValue("Location")).hasValue("/ui");
    String cookie = ok.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie)
        .matches("lmgate_ui=[A-Za-z0-9_-]{43}; Path=/ui; Max-Age=43200; HttpOnly; SameSite=Strict");
    String session = cookie.substring(0, cookie.indexOf(';'));
    assertThat(session).doesNotContain(DashboardHistory.TOKEN);
    assertThat(get("/ui/api/summary", "Cookie", session).statusCode()).isEqualTo(200);

    HttpResponse<String> logout =
        client.send(
            HttpRequest.newBuilder(gateway.uri("/ui/logout"))
                .header("Cookie", session)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(logout.statusCode()).isEqualTo(303);
    assertThat(get("/ui/api/summary", "Cookie", session).statusCode()).isEqualTo(401);
  }

  @Test
  void aLoginPostedFromAnotherSiteIsRefused() throws Exception {
    start();
    assertThat(postLogin(DashboardHistory.TOKEN, "https://evil.example").statusCode())
        .isEqualTo(403);
  }

  @Test
  void withoutATokenThereIsNoDashboard() throws Exception {
    gateway = Gateway.on(engine).start(dir, URI.create("http://127.0.0.1:9"));
    assertThat(gateway.server.dashboard()).isNull();
    assertThat(get("/ui").statusCode()).isEqualTo(404);
    assertThat(get("/ui/api/summary", "Authorization", "Bearer anything").statusCode())
        .isEqualTo(404);
  }

  @Test
  void aRouteUnderUiCannotStartWithTheDashboard() {
    assertThatThrownBy(
            () ->
                Gateway.on(engine)
                    .start(
                        dir,
                        URI.create("http://127.0.0.1:9"),
                        Map.of(
                            "LMGATE_UI__TOKEN",
                            DashboardHistory.TOKEN,
                            "LMGATE_PROVIDERS__OPENAI__PREFIX",
                            "/ui/openai/")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "providers.openai.prefix: /ui/openai/ is under /ui/, the dashboard's path while"
                + " ui.token is set; give the route another prefix or leave ui.token empty");
  }

  private HttpResponse<String> postLogin(String token, String origin) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(gateway.uri("/ui/login"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "token="
                        + java.net.URLEncoder.encode(
                            token, java.nio.charset.StandardCharsets.UTF_8)));
    if (origin != null) {
      b.header("Origin", origin);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
