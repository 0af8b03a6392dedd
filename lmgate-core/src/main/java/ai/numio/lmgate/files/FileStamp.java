package ai.numio.lmgate.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * What a poll compares to notice a changed file: modification time, size and the file's identity
 * (device and inode where the platform has them). Symbolic links are followed, so a Kubernetes
 * ConfigMap's symlink swap or an atomic rename shows up as a new identity.
 *
 * @param fileKey the platform's file identity, or null where it has none
 */
record FileStamp(FileTime modified, long size, Object fileKey) {

  static FileStamp of(Path file) throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
    return new FileStamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
  }
}
