package ai.numio.lmgate.standalone;

import ai.numio.lmgate.auth.AllowListException;
import ai.numio.lmgate.auth.AllowListText;
import ai.numio.lmgate.text.StrictUtf8;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * One change to the allow-list file by {@code lmgate keys}, safe against the gateway reading it and
 * against other {@code keys} commands: under an exclusive lock on {@code <file>.lock} (so two
 * commands never lose each other's rows), the file is read, changed and validated, written whole to
 * a temporary file beside it, forced to disk and renamed over it in one step — a gateway polling
 * the file sees the old table or the new one, never half a row.
 */
final class AllowListEdit {

  /** What to change: returns the new text, or null for no change. */
  @FunctionalInterface
  interface Change {
    String apply(AllowListText current) throws AllowListException, CommandFailure;
  }

  /** A file lock is held per process: threads of one process take turns here first. */
  private static final Object IN_PROCESS = new Object();

  private AllowListEdit() {}

  /**
   * Applies {@code change} to the file.
   *
   * @return whether the file was changed
   * @throws CommandFailure the file is missing, unreadable or invalid, or cannot be replaced
   */
  static boolean apply(Path file, Change change) throws CommandFailure {
    synchronized (IN_PROCESS) {
      return applyLocked(file, change);
    }
  }

  private static boolean applyLocked(Path file, Change change) throws CommandFailure {
    Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
    try (FileChannel lockChannel =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockChannel.lock()) {
      AllowListText current = read(file);
      String next;
      try {
        next = change.apply(current);
      } catch (AllowListException e) {
        throw new CommandFailure(
            ExitCode.BAD_USAGE_OR_CONFIG,
            "the change would make the allow-list invalid:",
            e.problems());
      }
      if (next == null) {
        return false;
      }
      replace(file, next.getBytes(StandardCharsets.UTF_8));
      return true;
    } catch (IOException e) {
      throw new CommandFailure(
          ExitCode.RUNTIME_FAILURE, "cannot change " + file + ": " + describe(e));
    }
  }

  /** Reads and validates the file without changing it. */
  static AllowListText read(Path file) throws CommandFailure {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CommandFailure(
          ExitCode.RUNTIME_FAILURE, "cannot read " + file + ": " + describe(e));
    }
    String text;
    try {
      text = StrictUtf8.decode(bytes);
    } catch (StrictUtf8.MalformedException e) {
      throw new CommandFailure(
          ExitCode.BAD_USAGE_OR_CONFIG, file + " line " + e.line() + ": not valid UTF-8");
    }
    try {
      return AllowListText.parse(text, file.toString());
    } catch (AllowListException e) {
      throw new CommandFailure(
          ExitCode.BAD_USAGE_OR_CONFIG, "the allow-list is invalid; fix it first:", e.problems());
    }
  }

  private static void replace(Path file, byte[] content) throws IOException {
    Path target = file.toRealPath(); // through a symbolic link, replace the file it names
    Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try {
      try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
        out.force(true);
      }
      try {
        Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(target));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: the temporary file's permissions stay
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static String describe(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "file not found";
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }
}
