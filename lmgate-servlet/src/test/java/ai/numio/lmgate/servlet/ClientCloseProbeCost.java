package ai.numio.lmgate.servlet;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * What one look of {@link ClientCloseProbe} at an open, idle client connection costs — the WAR's
 * forwarder takes one per waiting request every 100 ms. Not a test: run it by hand, e.g. {@code
 * java -cp lmgate-servlet/target/classes:lmgate-servlet/target/test-classes:<slf4j-api.jar>
 * ai.numio.lmgate.servlet.ClientCloseProbeCost 1000}, the argument the number of connections.
 */
final class ClientCloseProbeCost {

  private ClientCloseProbeCost() {}

  public static void main(String[] args) throws IOException {
    int connections = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int rounds = 200;
    try (ServerSocketChannel server =
            ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        ClientCloseProbe probe = ClientCloseProbe.open()) {
      SocketChannel[] clients = new SocketChannel[connections];
      SocketChannel[] accepted = new SocketChannel[connections];
      for (int i = 0; i < connections; i++) {
        clients[i] = SocketChannel.open(server.getLocalAddress());
        accepted[i] = server.accept();
        accepted[i].configureBlocking(false);
      }
      for (int run = 0; run < 10; run++) {
        long start = System.nanoTime();
        for (int r = 0; r < rounds; r++) {
          for (SocketChannel channel : accepted) {
            if (probe.closed(channel)) {
              throw new AssertionError("an open connection looked closed");
            }
          }
        }
        long each = (System.nanoTime() - start) / ((long) rounds * connections);
        System.out.println(connections + " connections: " + each + " ns a look");
      }
      for (int i = 0; i < connections; i++) {
        clients[i].close();
        accepted[i].close();
      }
    }
  }
}
