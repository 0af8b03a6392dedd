package ai.numio.lmgate.jetty;

import static java.nio.charset.StandardCharsets.US_ASCII;

import ai.numio.lmgate.testing.RawUpstream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * {@link RawUpstream} scripts that answer with a provider body the way a provider sends it: a JSON
 * body with {@code Content-Length}, or a body (SSE) in several flushed chunks. Every reply says
 * {@code Connection: close}, because a RawUpstream connection serves one request.
 */
final class FixtureReplies {

  private FixtureReplies() {}

  /** The whole body at once, framed by {@code Content-Length}. */
  static RawUpstream.Script withLength(
      int status, String contentType, byte[] body, String... headerPairs) {
    return (request, socket, out) -> {
      StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " " + reason(status) + "\r\n");
      head.append("Content-Type: ").append(contentType).append("\r\n");
      appendHeaders(head, headerPairs);
      head.append("Content-Length: ").append(body.length).append("\r\n");
      head.append("Connection: close\r\n\r\n");
      out.write(head.toString().getBytes(US_ASCII));
      out.write(body);
      out.flush();
    };
  }

  /** The body in {@code pieces} chunks of about equal size, each flushed on its own. */
  static RawUpstream.Script inChunks(
      int status, String contentType, byte[] body, int pieces, String... headerPairs) {
    return (request, socket, out) -> {
      String[] headers = new String[headerPairs.length + 2];
      System.arraycopy(headerPairs, 0, headers, 0, headerPairs.length);
      headers[headerPairs.length] = "Connection";
      headers[headerPairs.length + 1] = "close";
      RawUpstream.chunkedHead(out, status, contentType, headers);
      writeInPieces(out, body, pieces);
      RawUpstream.lastChunk(out);
    };
  }

  private static void writeInPieces(OutputStream out, byte[] body, int pieces) throws IOException {
    int size = Math.max(1, body.length / pieces);
    for (int offset = 0; offset < body.length; offset += size) {
      RawUpstream.chunk(out, body, offset, Math.min(size, body.length - offset));
    }
  }

  private static void appendHeaders(StringBuilder head, String... headerPairs) {
    for (int i = 0; i < headerPairs.length; i += 2) {
      head.append(headerPairs[i]).append(": ").append(headerPairs[i + 1]).append("\r\n");
    }
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 429 -> "Too Many Requests";
      case 529 -> "Overloaded";
      default -> "Status";
    };
  }
}
