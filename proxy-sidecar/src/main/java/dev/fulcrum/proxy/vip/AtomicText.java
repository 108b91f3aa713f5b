package dev.fulcrum.proxy.vip;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;

/** Replaces a text file by temp file and rename, so keepalived never reads half a file. */
final class AtomicText {
  private AtomicText() {}

  /**
   * Writes {@code text} with the POSIX {@code mode} unless the file already holds exactly it.
   *
   * @return whether the file was written
   */
  static boolean writeIfChanged(Path target, String text, String mode) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (Files.exists(target) && java.util.Arrays.equals(Files.readAllBytes(target), bytes)) {
      return false;
    }
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      Files.write(temp, bytes);
      // The mode is set before the rename: keepalived refuses a script others could change.
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(mode));
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw new IOException("cannot write " + target + ": " + e.getMessage(), e);
    }
    return true;
  }
}
