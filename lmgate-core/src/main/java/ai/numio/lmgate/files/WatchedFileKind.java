package ai.numio.lmgate.files;

import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;

/**
 * What a {@link ReloadingFile} holds and how it speaks of it: the parser that turns the file's
 * bytes into an immutable value (or an exception whose message names file, line and problem), and
 * the words its log lines use.
 *
 * @param label how log lines name the file ("Allow-list", "Price table", "Policy file")
 * @param thing what the loaded value is called ("table", "policies")
 * @param unit what {@code count} counts ("entries", "rules")
 * @param setting the configuration key that names the file, for messages
 * @param parser parses the bytes; {@code source} is the file's path as the operator named it
 * @param failure turns an I/O problem's description into the exception a failed start throws
 * @param count the size of a loaded value, for log lines
 * @param log where log lines go (the owner's logger, so operators filter by it)
 */
public record WatchedFileKind<T, E extends Exception>(
    String label,
    String thing,
    String unit,
    String setting,
    Parser<T, E> parser,
    Function<String, E> failure,
    ToIntFunction<T> count,
    Logger log) {

  /** Turns a file's bytes into its value. */
  @FunctionalInterface
  public interface Parser<T, E extends Exception> {
    T parse(byte[] content, String source) throws E;
  }
}
