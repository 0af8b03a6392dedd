package ai.numio.lmgate;

import java.io.IOException;

/**
 * A request's body as the core may read it ahead of forwarding (SPEC-2 §14: the model a policy
 * needs, read only as far as needed, only when a model rule applies to the caller). Reads block;
 * the adapter forwards what was read ahead ({@link Admission.Admitted#readAhead()}) and then the
 * rest of the body, byte for byte.
 */
@FunctionalInterface
public interface RequestBody {

  /** A request without a body, or one the core must not read. */
  RequestBody NONE = (bytes, offset, length) -> -1;

  /**
   * Reads up to {@code length} bytes into {@code bytes} at {@code offset}, blocking until at least
   * one is available.
   *
   * @return the number of bytes read, or -1 at the end of the body
   * @throws java.io.IOException when the body cannot be read (a malformed chunk, the client gone)
   */
  int read(byte[] bytes, int offset, int length) throws IOException;
}
