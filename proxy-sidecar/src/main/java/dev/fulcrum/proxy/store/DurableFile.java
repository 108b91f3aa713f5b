package dev.fulcrum.proxy.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;

/**
 * Replaces a small file atomically and durably: temp file with its final mode, fsync, rename, fsync
 * the directory. A reader (keepalived, a restarted proxy) sees the old file or the new one.
 */
public final class DurableFile {
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private DurableFile() {}

  /**
   * Writes {@code bytes} to {@code target} with mode 0600; returns only once the new content and
   * the rename are on disk, so a crash leaves either the old file or the new one, never a mix.
   *
   * @throws IOException naming the target and the cause; the old file is then untouched
   */
  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, bytes, "rw-------");
  }

  /**
   * As {@link #write(Path, byte[])} with the POSIX {@code mode} (e.g. {@code rwx------}), set
   * before the rename: keepalived refuses a script others could have changed meanwhile. A missing
   * directory is created readable as the file is.
   */
  public static void write(Path target, byte[] bytes, String mode) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      Files.createDirectories(dir, withMode(directoryMode(mode)));
      try (FileChannel ch =
          FileChannel.open(
              temp,
              java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              withMode("rw-------"))) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      if (POSIX) {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(mode));
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      // The rename is only durable once the directory entry itself is flushed.
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      }
    } catch (IOException | UnsupportedOperationException e) {
      deleteQuietly(temp);
      throw new IOException("cannot write " + target + ": " + describe(e), e);
    }
  }

  /**
   * Writes unless the file already holds exactly {@code bytes}.
   *
   * @return whether the file was written
   */
  public static boolean writeIfChanged(Path target, byte[] bytes, String mode) throws IOException {
    if (Files.exists(target) && java.util.Arrays.equals(Files.readAllBytes(target), bytes)) {
      return false;
    }
    write(target, bytes, mode);
    return true;
  }

  /** The plain cause of an I/O failure, e.g. {@code No space left on device}. */
  static String describe(Exception e) {
    if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
      return fse.getReason() + " (" + fse.getFile() + ")";
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  /** rw-r--r-- -> rwxr-xr-x: whoever may read the file may enter its directory. */
  private static String directoryMode(String fileMode) {
    char[] m = fileMode.toCharArray();
    for (int i = 0; i < 9; i += 3) {
      if (m[i] == 'r') {
        m[i + 2] = 'x';
      }
    }
    return new String(m);
  }

  private static FileAttribute<?>[] withMode(String mode) {
    return POSIX
        ? new FileAttribute<?>[] {
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode))
        }
        : new FileAttribute<?>[0];
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // The temp file has a unique name; a leftover is harmless and never read.
    }
  }
}
