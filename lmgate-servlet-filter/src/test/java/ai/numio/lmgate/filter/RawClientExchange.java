package ai.numio.lmgate.filter;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One request written byte for byte on a raw socket (so a test can send headers an HTTP client
 * library would refuse: {@code Connection}, {@code TE}, {@code Upgrade} …) and the response read
 * until the server closes the connection.
 */
public record RawClientExchange(String statusLine, List<String> headerLines, byte[] body) {

  /** Sends {@code head} (ending with a blank line) and {@code body}; reads the whole response. */
  public static RawClientExchange send(int port, String head, byte[] body) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(head.getBytes(ISO_8859_1));
      socket.getOutputStream().write(body);
      socket.getOutputStream().flush();
      return parse(socket.getInputStream().readAllBytes());
    }
  }

  public int status() {
    return Integer.parseInt(statusLine.split(" ")[1]);
  }

  /** Every value of the header, in order. */
  public List<String> headers(String name) {
    String prefix = name.toLowerCase(Locale.ROOT) + ":";
    List<String> values = new ArrayList<>();
    for (String line : headerLines) {
      if (line.toLowerCase(Locale.ROOT).startsWith(prefix)) {
        values.add(line.substring(prefix.length()).trim());
      }
    }
    return values;
  }

  private static RawClientExchange parse(byte[] response) throws IOException {
    int end = indexOf(response, "\r\n\r\n".getBytes(ISO_8859_1));
    if (end < 0) {
      throw new IOException("no complete response head in " + response.length + " bytes");
    }
    String[] lines = new String(response, 0, end, ISO_8859_1).split("\r\n");
    List<String> headers = List.of(lines).subList(1, lines.length);
    byte[] rest = Arrays.copyOfRange(response, end + 4, response.length);
    RawClientExchange bare = new RawClientExchange(lines[0], headers, rest);
    if (bare.headers("transfer-encoding").contains("chunked")) {
      return new RawClientExchange(lines[0], headers, dechunk(rest));
    }
    return bare;
  }

  private static byte[] dechunk(byte[] chunked) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = new java.io.ByteArrayInputStream(chunked);
    while (true) {
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0 && b != '\n') {
        if (b != '\r') {
          line.append((char) b);
        }
      }
      int size = Integer.parseInt(line.toString().trim(), 16);
      out.write(in.readNBytes(size));
      in.readNBytes(2);
      if (size == 0) {
        return out.toByteArray();
      }
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
