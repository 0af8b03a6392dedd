package ai.numio.lmgate.jetty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.numio.lmgate.testing.RawUpstream;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * The TLS listener ({@code server.tls.*}): HTTP/1.1 and HTTP/2 (ALPN) for a client trusting the
 * test CA, JDK client and curl alike, proxied end to end; an untrusted client fails the handshake;
 * TLS 1.0/1.1 are refused; plain HTTP and h2c stay on {@code server.port}; and a certificate
 * swapped on disk (a Kubernetes secret's symlink swap) reaches new connections while a stream
 * opened before runs to its end.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"servlet", "lean"})
class GatewayTlsTest {

  @Parameter String engine;

  private static TestPki pki;
  private static TestPki.Issued first;
  private static TestPki.Issued second;

  @TempDir Path dir;
  private RawUpstream upstream;
  private Gateway gateway;
  private SSLContext trusting;

  @BeforeAll
  static void certificates() throws Exception {
    pki = TestPki.create("LMGate Test CA");
    first = pki.issue("gateway-1", true);
    second = pki.issue("gateway-2", false);
  }

  @AfterEach
  void tearDown() throws IOException {
    if (gateway != null) {
      gateway.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  /**
   * A gateway whose certificate and key are Kubernetes-style secret files: {@code tls.crt} and
   * {@code tls.key} link to {@code ..data/}, itself a link to a timestamped directory.
   */
  private void start(RawUpstream.Script script) throws Exception {
    upstream = new RawUpstream(script);
    Path secret = dir.resolve("secret");
    Files.createDirectories(secret);
    Path version = writeVersion(secret, "..v1", first);
    Files.createSymbolicLink(secret.resolve("..data"), version.getFileName());
    Files.createSymbolicLink(secret.resolve("tls.crt"), Path.of("..data", "tls.crt"));
    Files.createSymbolicLink(secret.resolve("tls.key"), Path.of("..data", "tls.key"));
    gateway =
        Gateway.on(engine)
            .start(
                dir.resolve("gw"),
                upstream.uri(),
                Map.of(
                    "LMGATE_SERVER__TLS__CERT_PATH", secret.resolve("tls.crt").toString(),
                    "LMGATE_SERVER__TLS__KEY_PATH", secret.resolve("tls.key").toString(),
                    "LMGATE_SERVER__TLS__POLL_INTERVAL_SECONDS", "1"));
    trusting = pki.clientContext();
  }

  private static Path writeVersion(Path secret, String name, TestPki.Issued issued)
      throws IOException {
    Path version = secret.resolve(name);
    TestPki.write(version.resolve("tls.crt"), TestPki.chainPem(issued));
    TestPki.write(version.resolve("tls.key"), TestPki.pkcs8Pem(issued.keys().getPrivate()));
    return version;
  }

  /** What the kubelet does when the secret changes: one atomic rename of the ..data link. */
  private static void swapSecret(Path secret, String name, TestPki.Issued issued)
      throws IOException {
    Path version = writeVersion(secret, name, issued);
    Path link = secret.resolve("..data_tmp");
    Files.createSymbolicLink(link, version.getFileName());
    Files.move(link, secret.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
  }

  /** A tool on the PATH: skipped without it, except under CI (.ci/run installs it). */
  private static void requireTool(String name) {
    boolean found =
        Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            .anyMatch(d -> new File(d, name).canExecute());
    if ("true".equals(System.getenv("CI"))) {
      assertThat(found).as("%s must be installed under CI (.ci/run installs it)", name).isTrue();
    }
    Assumptions.assumeTrue(found, name + " is not installed");
  }

  private HttpClient client(HttpClient.Version version) {
    return HttpClient.newBuilder()
        .version(version)
        .sslContext(trusting)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  private HttpRequest chat(boolean stream) {
    return HttpRequest.newBuilder(gateway.server.tlsUri().resolve("/openai/v1/chat/completions"))
        .header("Authorization", "Bearer " + Gateway.ALPHA_KEY)
        .header("content-type", "application/json")
        .POST(
            HttpRequest.BodyPublishers.ofString(
                "{\"model\":\"gpt-4o-mini\",\"stream\":"
                    + stream
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
        .build();
  }

  private static BigInteger peerSerial(HttpResponse<?> response) throws Exception {
    return ((X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0])
        .getSerialNumber();
  }

  private void fixedChatUpstream() throws Exception {
    start(
        (request, socket, out) ->
            RawUpstream.fixedResponse(
                out,
                200,
                Gateway.fixture("openai/chat-nonstream.json"),
                // the test upstream serves one request per connection: say so, or the
                // gateway may reuse a connection just as it closes (upstream_disconnected)
                "Connection",
                "close"));
  }

  @Test
  void aClientTrustingTheCaSpeaksHttp11AndHttp2AndIsProxiedEndToEnd() throws Exception {
    fixedChatUpstream();
    for (HttpClient.Version version :
        List.of(HttpClient.Version.HTTP_1_1, HttpClient.Version.HTTP_2)) {
      HttpResponse<String> response =
          client(version).send(chat(false), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("%s", version).isEqualTo(200);
      assertThat(response.version()).isEqualTo(version);
      assertThat(response.body()).contains("chat.completion");
      assertThat(peerSerial(response)).isEqualTo(first.serial());
      assertThat(upstream.received())
          .last()
          .satisfies(r -> assertThat(r.bodyText()).contains("gpt-4o-mini"));
      assertThat(gateway.awaitOnlyRecord().get("status").asInt()).isEqualTo(200);
    }
    assertThat(gateway.server.tlsCertificate().getSerialNumber()).isEqualTo(first.serial());
  }

  @Test
  void plainHttpAndH2cStayOnTheServerPort() throws Exception {
    fixedChatUpstream();
    assertThat(gateway.server.uri().getScheme()).isEqualTo("http");
    assertThat(gateway.server.port()).isNotEqualTo(gateway.server.tlsPort());
    HttpResponse<String> plain =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_2)
            .build()
            .send(
                HttpRequest.newBuilder(gateway.uri("/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(plain.sslSession()).isEmpty();
  }

  @Test
  void curlWithTheCaSpeaksHttp2AndHttp11() throws Exception {
    requireTool("curl");
    fixedChatUpstream();
    Path ca = pki.writeCa(dir.resolve("ca.pem"));
    for (String option : List.of("--http2", "--http1.1")) {
      Process curl =
          new ProcessBuilder(
                  "curl",
                  "-sS",
                  option,
                  "--cacert",
                  ca.toString(),
                  "-o",
                  "/dev/null",
                  "-w",
                  "%{http_code} %{http_version}",
                  "-H",
                  "Authorization: Bearer " + Gateway.ALPHA_KEY,
                  "-H",
                  "content-type: application/json",
                  "--data",
                  "{\"model\":\"gpt-4o-mini\",\"messages\":[]}",
                  gateway.server.tlsUri().resolve("/openai/v1/chat/completions").toString())
              .redirectErrorStream(true)
              .start();
      String output = new String(curl.getInputStream().readAllBytes(), UTF_8);
      assertThat(curl.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(output).isEqualTo(option.equals("--http2") ? "200 2" : "200 1.1");
      assertThat(gateway.awaitOnlyRecord().get("status").asInt()).isEqualTo(200);
    }
  }

  @Test
  void aClientThatDoesNotTrustTheCaFailsTheHandshake() throws Exception {
    fixedChatUpstream();
    HttpClient untrusting = HttpClient.newBuilder().build(); // the JDK's public CAs only
    assertThatThrownBy(() -> untrusting.send(chat(false), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(SSLHandshakeException.class);
    HttpClient otherCa =
        HttpClient.newBuilder().sslContext(TestPki.create("Other CA").clientContext()).build();
    assertThatThrownBy(() -> otherCa.send(chat(false), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(SSLHandshakeException.class);
    assertThat(upstream.received()).isEmpty();
  }

  @Test
  void onlyTls12And13AreOffered() throws Exception {
    fixedChatUpstream();
    assertThat(gateway.server.tlsContextFactory().getSelectedProtocols())
        .containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
    assertThat(gateway.server.tlsContextFactory().getSelectedCipherSuites())
        .isNotEmpty()
        .noneMatch(s -> s.startsWith("TLS_RSA_") || s.endsWith("_SHA") || s.contains("_NULL_"));
    requireTool("openssl");
    for (String old : List.of("-tls1_1", "-tls1")) {
      // SECLEVEL=0 lets this client offer TLS 1.0/1.1: the refusal must come from the gateway
      Process client =
          new ProcessBuilder(
                  "openssl",
                  "s_client",
                  "-connect",
                  "127.0.0.1:" + gateway.server.tlsPort(),
                  old,
                  "-cipher",
                  "DEFAULT@SECLEVEL=0")
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      String output = new String(client.getInputStream().readAllBytes(), UTF_8);
      assertThat(client.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(client.exitValue()).as(output).isNotZero();
      assertThat(output).contains("alert protocol version").doesNotContain("BEGIN CERTIFICATE");
    }
  }

  @Test
  void aSwappedCertificateReachesNewConnectionsWhileAnOpenStreamContinues() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    start(
        (request, socket, out) -> {
          RawUpstream.chunkedHead(out, 200, "text/event-stream");
          RawUpstream.chunk(out, "data: {\"n\":0}\n\n");
          release.await(30, TimeUnit.SECONDS);
          for (int i = 1; i < 5; i++) {
            RawUpstream.chunk(out, "data: {\"n\":" + i + "}\n\n");
            Thread.sleep(20);
          }
          RawUpstream.chunk(out, "data: [DONE]\n\n");
          RawUpstream.lastChunk(out);
        });
    HttpClient before = client(HttpClient.Version.HTTP_2);
    HttpResponse<InputStream> streaming =
        before.send(chat(true), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(streaming.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(peerSerial(streaming)).isEqualTo(first.serial());
    BufferedReader events = new BufferedReader(new InputStreamReader(streaming.body(), UTF_8));
    assertThat(events.readLine()).isEqualTo("data: {\"n\":0}");

    swapSecret(dir.resolve("secret"), "..v2", second);

    // the poll (every second) takes the new pair; a new connection gets the new certificate
    Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> gateway.server.tlsCertificate().getSerialNumber().equals(second.serial()));
    upstream.script(
        (request, socket, out) ->
            RawUpstream.fixedResponse(
                out,
                200,
                Gateway.fixture("openai/chat-nonstream.json"),
                // the test upstream serves one request per connection: say so, or the
                // gateway may reuse a connection just as it closes (upstream_disconnected)
                "Connection",
                "close"));
    HttpResponse<String> fresh =
        client(HttpClient.Version.HTTP_1_1).send(chat(false), HttpResponse.BodyHandlers.ofString());
    assertThat(fresh.statusCode()).as(fresh.body()).isEqualTo(200);
    assertThat(peerSerial(fresh)).isEqualTo(second.serial());
    // the connection opened before keeps its session: a second stream on it sees the old one
    HttpResponse<String> sameConnection =
        before.send(chat(false), HttpResponse.BodyHandlers.ofString());
    assertThat(sameConnection.statusCode()).as(sameConnection.body()).isEqualTo(200);
    assertThat(peerSerial(sameConnection)).isEqualTo(first.serial());

    // and the stream opened before the swap runs to its end
    release.countDown();
    List<String> rest = new ArrayList<>();
    String line;
    while ((line = events.readLine()) != null) {
      if (line.startsWith("data: ")) {
        rest.add(line);
      }
    }
    assertThat(rest)
        .containsExactly(
            "data: {\"n\":1}",
            "data: {\"n\":2}",
            "data: {\"n\":3}",
            "data: {\"n\":4}",
            "data: [DONE]");
    List<Integer> statuses = new ArrayList<>();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              gateway.newRecords().forEach(r -> statuses.add(r.get("status").asInt()));
              return statuses.size() == 3;
            });
    assertThat(statuses).containsOnly(200);
  }

  @Test
  void aBadNewKeyKeepsTheCertificateInUseAndLogsOneError() throws Exception {
    fixedChatUpstream();
    Logger logger = (Logger) LoggerFactory.getLogger(ReloadingCertificate.class);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try {
      Path secret = dir.resolve("secret");
      // a damaged key
      Path v2 = writeVersion(secret, "..v2", second);
      TestPki.write(
          v2.resolve("tls.key"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
      Path link = secret.resolve("..data_tmp");
      Files.createSymbolicLink(link, v2.getFileName());
      Files.move(link, secret.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
      assertThat(gateway.server.reloadCertificateIfChanged()).isFalse();
      assertThat(gateway.server.reloadCertificateIfChanged()).isFalse();
      // a key of another certificate
      swapSecret(secret, "..v3", second);
      TestPki.write(
          secret.resolve("..v3").resolve("tls.key"), TestPki.pkcs8Pem(first.keys().getPrivate()));
      assertThat(gateway.server.reloadCertificateIfChanged()).isFalse();
      assertThat(gateway.server.reloadCertificateIfChanged()).isFalse();

      assertThat(gateway.server.tlsCertificate().getSerialNumber()).isEqualTo(first.serial());
      HttpResponse<String> response =
          client(HttpClient.Version.HTTP_2).send(chat(false), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(peerSerial(response)).isEqualTo(first.serial());

      List<String> errors =
          logs.list.stream()
              .filter(e -> e.getLevel() == Level.ERROR)
              .map(ILoggingEvent::getFormattedMessage)
              .toList();
      assertThat(errors).hasSize(2);
      assertThat(errors.get(0))
          .startsWith("TLS private key not reloaded")
          .contains(secret.resolve("tls.key").toString())
          .contains("cannot be read");
      assertThat(errors.get(1))
          .startsWith("TLS certificate not reloaded; new connections keep getting CN=gateway-1")
          .contains(secret.resolve("tls.key") + ": the private key does not match the certificate");

      // the right key arrives: the pair is taken
      TestPki.write(
          secret.resolve("..v3").resolve("tls.key"), TestPki.pkcs8Pem(second.keys().getPrivate()));
      assertThat(gateway.server.reloadCertificateIfChanged()).isTrue();
      assertThat(
              peerSerial(
                  client(HttpClient.Version.HTTP_2)
                      .send(chat(false), HttpResponse.BodyHandlers.ofString())))
          .isEqualTo(second.serial());
    } finally {
      logger.detachAppender(logs);
    }
  }

  /**
   * Over TLS (HTTP/1.1) a client that leaves while the upstream thinks: one that closes its socket
   * without a TLS farewell (a killed process) is noticed at once, the upstream request aborted and
   * recorded 499; one that sends a TLS {@code close_notify} first (the JDK's {@code
   * SSLSocket.close()}, its HTTP client cancelled) is, by design, noticed only at the first write —
   * its farewell is bytes the gateway does not read — and the record says what the upstream
   * answered (docs/functional-spec.md).
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"socket closed without close_notify", "SSLSocket closed"})
  void aTlsClientThatLeavesBeforeTheResponseHead(String how) throws Exception {
    start(GatewayFaultsTest.thinkingFor(3000, "anthropic/messages-nonstream.json"));
    long leftAt;
    try (java.net.Socket plain =
        new java.net.Socket("127.0.0.1", gateway.server.tlsUri().getPort())) {
      javax.net.ssl.SSLSocket tls =
          (javax.net.ssl.SSLSocket)
              trusting.getSocketFactory().createSocket(plain, "localhost", plain.getPort(), false);
      tls.setEnabledProtocols(new String[] {"TLSv1.3"});
      tls.startHandshake();
      tls.getOutputStream()
          .write(
              ("POST /anthropic/v1/messages HTTP/1.1\r\nHost: gw\r\nx-api-key: "
                      + Gateway.ALPHA_KEY
                      + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
                  .getBytes(UTF_8));
      tls.getOutputStream().flush();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !upstream.received().isEmpty());
      Thread.sleep(500);
      leftAt = System.nanoTime();
      if (how.equals("SSLSocket closed")) {
        tls.close(); // close_notify, then the socket
      }
    } // the plain socket closes: no close_notify unless sent above
    Long upstreamClosedAt = upstream.connectionEnds.poll(10, TimeUnit.SECONDS);
    assertThat(upstreamClosedAt).as("upstream connection closed").isNotNull();
    JsonNode record = gateway.awaitOnlyRecord();
    if (how.equals("SSLSocket closed")) {
      // the known limit: the upstream answered after its 3 s, the record says so
      assertThat(Duration.ofNanos(upstreamClosedAt - leftAt)).isGreaterThan(Duration.ofSeconds(1));
      assertThat(record.get("status").asInt()).isEqualTo(200);
    } else {
      assertThat(Duration.ofNanos(upstreamClosedAt - leftAt)).isLessThan(Duration.ofSeconds(2));
      assertThat(record.get("status").asInt()).isEqualTo(499);
      assertThat(record.get("error_type").asText()).isEqualTo("client_disconnected");
      assertThat(record.get("input_tokens").isNull()).isTrue();
    }
  }
}
