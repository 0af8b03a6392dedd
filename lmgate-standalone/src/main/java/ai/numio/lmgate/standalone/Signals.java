package ai.numio.lmgate.standalone;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a stop action once on SIGTERM or SIGINT, so the process can finish its work and exit 0 (a
 * plain shutdown hook would leave the JVM exiting 143). A shutdown hook covers every other way the
 * JVM may end.
 */
final class Signals {

  private Signals() {}

  static void onTerminate(Runnable stop) {
    AtomicBoolean once = new AtomicBoolean();
    Runnable runOnce =
        () -> {
          if (once.compareAndSet(false, true)) {
            stop.run();
          }
        };
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(
            new sun.misc.Signal(name), signal -> new Thread(runOnce, "lmgate-shutdown").start());
      } catch (IllegalArgumentException e) {
        // this platform does not have that signal; the shutdown hook still covers it
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(runOnce, "lmgate-shutdown-hook"));
  }
}
