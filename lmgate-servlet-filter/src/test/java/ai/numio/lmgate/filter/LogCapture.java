package ai.numio.lmgate.filter;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects what one class logs, for exact assertions on operator messages. */
final class LogCapture implements AutoCloseable {

  /** One logged line: its formatted message and the message of the exception logged with it. */
  record Line(Level level, String message, String exception) {}

  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  LogCapture(Class<?> source) {
    logger = (Logger) LoggerFactory.getLogger(source);
    appender.start();
    logger.addAppender(appender);
  }

  List<Line> lines() {
    synchronized (appender) {
      return appender.list.stream()
          .map(
              e -> {
                IThrowableProxy thrown = e.getThrowableProxy();
                return new Line(
                    e.getLevel(),
                    e.getFormattedMessage(),
                    thrown == null ? null : thrown.getMessage());
              })
          .toList();
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
