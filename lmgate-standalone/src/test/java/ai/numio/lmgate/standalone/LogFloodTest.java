package ai.numio.lmgate.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No input from an unauthenticated client produces unbounded log volume, with the logging the jar
 * ships: malformed requests are answered with LMGate's JSON 400/431 and log nothing (Jetty's parser
 * would log a WARN per request, repeating a header value), and denials are rate-limited.
 */
class LogFloodTest {

  @TempDir Path dir;
  private GatewayProcess process;
  private int port;

  @AfterEach
  void tearDown() throws InterruptedException {
    if (process != null) {
      process.kill();
      process.awaitExit(java.time.Duration.ofSeconds(10));
    }
  }

  @Test
  void malformedRequestsLogNothingAndDenialsAreBounded() throws Exception {
    port = GatewayProcess.freePort();
    GatewayProcess.writeConfig(
        dir, "sk-proj-flood-test-key-0001112223", port, URI.create("http://127.0.0.1:9"), 5, 1);
    process = GatewayProcess.start(dir, "lmgate.yaml", "gateway.log");
    int before = process.output().size();

    String[] malformed = {
      "GET /openai/v1/models HTTP/1.1\r\nHost: a\r\nHost: " + "b".repeat(2000) + "\r\n\r\n",
      "GET /openai/v1/models HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n",
      "GET /openai/v1/models HTTP/9.9\r\nHost: a\r\n\r\n",
      "GET /openai/v1/models HTTP/1.1\r\nHost: a\r\nX-Big: " + "x".repeat(20_000) + "\r\n\r\n",
      "GET /openai/v1/models HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "GET /openai/v1/models\u0001 HTTP/1.1\r\nHost: a\r\n\r\n",
    };
    for (int i = 0; i < 50; i++) {
      for (String request : malformed) {
        assertThat(raw(request)).as(request.substring(0, 30)).matches("(?s)HTTP/1.1 (4..|505) .*");
      }
    }
    Thread.sleep(500); // let anything asynchronous reach the log
    List<String> afterMalformed = process.output();
    assertThat(afterMalformed.subList(before, afterMalformed.size()))
        .as("log lines for 300 malformed requests")
        .isEmpty();

    for (int i = 0; i < 300; i++) {
      assertThat(
              raw(
                  "GET /openai/v1/models HTTP/1.1\r\nHost: a\r\nx-api-key: sk-nope-"
                      + i
                      + "\r\n\r\n"))
          .startsWith("HTTP/1.1 403 ");
    }
    Thread.sleep(2500); // the summary line comes at the end of its second
    List<String> afterDenials = process.output();
    List<String> denialLines = afterDenials.subList(afterMalformed.size(), afterDenials.size());
    // at most 20 denials a second are logged, then one summary for the rest of that second
    assertThat(denialLines.size()).isBetween(2, 21 * 4);
    assertThat(denialLines).anyMatch(l -> l.contains("more denied requests were not logged"));
  }

  private String raw(String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      socket.shutdownOutput();
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      try {
        socket.getInputStream().transferTo(response);
      } catch (SocketException e) {
        // reset after the answer: keep what arrived
      }
      return response.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
