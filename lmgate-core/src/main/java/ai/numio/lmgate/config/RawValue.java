package ai.numio.lmgate.config;

/**
 * A setting as written, before coercion.
 *
 * @param text the value text; {@code null} when the key was given with no value (YAML null)
 * @param origin where it came from, e.g. {@code config/lmgate.yaml line 3}
 */
record RawValue(String text, String origin) {}
